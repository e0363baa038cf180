"""`reetrace import-rates [PATH]`: load monthly exchange rates (default: the shipped table)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.reconciliation.services.rates import DEFAULT_RATES, rates_import


class Command(BaseCommand):
    help = "Import monthly rates (month, currency, units_per_usd, approximate, source) from CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_RATES)

    def handle(self, *args, path: Path, **options):
        try:
            count = rates_import(path=path)
        except (OSError, ReetraceError, BatchRejected) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(f"{count} exchange rates imported from {path}")
