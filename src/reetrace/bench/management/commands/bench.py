"""`reetrace bench`: measure ingest, API ingest, genealogy, mass balance and load over
HTTP against baselines.

The parent prepares a scratch database (a fresh SQLite file under var/bench, or
the `reetrace_bench` database on the PostgreSQL server given), runs the steps in
a child process bound to it, then prints the figures with their ratios.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from reetrace.bench.report import report_table
from reetrace.bench.scratch import scratch_url
from reetrace.conf import CONFIG
from reetrace.synth.window import month_parse

STEPS = ("bulk", "raw", "rows", "api", "genealogy", "balance", "load")
# asked for by name: `spark` needs the [spark] extra and Java, and both export the year;
# `epcis` posts the API step's batches again as EPCIS documents;
# `pages` times every page of every demo role over the year the bulk step loaded
OPTIONAL_STEPS = ("lake", "spark", "epcis", "pages")


class Command(BaseCommand):
    help = "Benchmark reetrace on a generated dataset; figures as ratios to raw baselines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", default="tiny", choices=["tiny", "small", "medium", "national"]
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end-month",
            default="2025-12",
            help="last month of the generated twelve (pinned, so figures compare across runs)",
        )
        parser.add_argument("--database", help="database URL (default: SQLite under var/bench)")
        parser.add_argument("--json", dest="json_out", help="write the results here")
        parser.add_argument("--steps", default=",".join(STEPS))
        parser.add_argument("--lots", type=int, default=1000, help="lots traced")
        parser.add_argument("--api-batches", type=int, default=20)
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument(
            "--duration", type=float, default=10.0, help="seconds per phase of the load step"
        )
        parser.add_argument(
            "--levels", default="1,4,16", help="client counts of the load step, e.g. 1,4,16"
        )

    def handle(self, *args, **options):
        unknown = set(options["steps"].split(",")) - set(STEPS) - set(OPTIONAL_STEPS)
        if unknown:
            known = ", ".join((*STEPS, *OPTIONAL_STEPS))
            raise CommandError(f"unknown steps {sorted(unknown)}; choose from {known}")
        if "pages" in options["steps"].split(",") and "bulk" not in options["steps"].split(","):
            raise CommandError(
                "--steps pages times the pages over the year the bulk step loads: "
                "ask for --steps bulk,pages (with --end-month the last complete month, "
                "so the pages' default periods hold the data)"
            )
        levels = options["levels"].split(",")
        if not all(level.isdigit() and 0 < int(level) <= 256 for level in levels):
            raise CommandError(
                f"--levels {options['levels']!r}: client counts from 1 to 256, e.g. 1,4,16"
            )
        if not 0 < options["duration"] <= 3600:
            raise CommandError("--duration: seconds per phase, more than 0 and at most 3600")
        url = scratch_url(options["database"] or "sqlite://", CONFIG.var_dir)
        out = Path(options["json_out"] or tempfile.mkstemp(suffix=".json")[1])
        command = [sys.executable, "-m", "reetrace", "bench-run", "--out", str(out)]
        try:
            month_parse(options["end_month"])
        except ValueError as exc:
            raise CommandError(f"--end-month: {exc}") from exc
        keys = ("scale", "seed", "end_month", "steps", "lots", "api_batches", "clients", "duration")
        for key in (*keys, "levels"):
            command += [f"--{key.replace('_', '-')}", str(options[key])]
        env = os.environ | {"REETRACE_DATABASE_URL": url}
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise CommandError("the benchmark run failed; see the output above")
        results = json.loads(out.read_text())
        Console().print(report_table(results))
        self.stdout.write(f"results written to {out}")
