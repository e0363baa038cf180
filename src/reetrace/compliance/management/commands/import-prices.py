"""`reetrace import-prices [PATH]`: load a reference price CSV (default: the shipped one)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reetrace.compliance.price_book import DEFAULT_PRICES
from reetrace.compliance.services.prices import prices_import
from reetrace.core.errors import ReetraceError


class Command(BaseCommand):
    help = "Import reference prices (element, form, valid_from, cny_per_kg, source) from CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PRICES)

    def handle(self, *args, path: Path, **options):
        try:
            count = prices_import(path=path)
        except (OSError, ReetraceError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(f"{count} reference prices imported from {path}")
