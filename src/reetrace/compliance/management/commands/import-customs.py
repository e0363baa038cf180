"""`reetrace import-customs FILE`: load customs declarations (the generator's CSV shape)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reetrace.compliance.services.customs import customs_import
from reetrace.core.errors import ReetraceError


class Command(BaseCommand):
    help = (
        "Import customs declarations (declaration, flow, enterprise, country, product, kg, "
        "date, fob_usd[, consignee, arrival_country]) from CSV; known numbers are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            count = customs_import(path=path)
        except (OSError, ReetraceError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(f"{count} customs declarations imported from {path}")
