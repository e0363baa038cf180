"""The `reetrace` console command: Django's management entry point with our settings.

Every verb a person or a cron job runs (`reetrace import`, `reetrace trace`,
`reetrace stock`, `reetrace close-month`, ...) is a management command in the
app that owns it, so `reetrace help` lists them all. A verb of several words is
spelt with hyphens (`close-month`, `import-prices`, `verify-chain`); the two that
once had underscores (`verify_chain`, `bench_run`) still answer to them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reetrace.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["reetrace", *(sys.argv[1:] if argv is None else argv)])
