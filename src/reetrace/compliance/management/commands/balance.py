"""`reetrace balance`: the monthly mass balance of one enterprise, per element, in kg REO."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from reetrace.compliance.engines import DATABASE, engine_names, engine_source
from reetrace.compliance.mass_balance import UNIT, balance_report
from reetrace.core.errors import ReetraceError
from reetrace.core.periods import period_parse
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Enterprise

COLUMNS = (
    ("opening", "opening"),
    ("origin", "+ origin"),
    ("received", "+ received"),
    ("produced", "+ produced"),
    ("shipped", "- shipped"),
    ("exported", "- exported"),
    ("consumed", "- consumed"),
    ("adjusted", "± adjusted"),
    ("closing", "closing"),
)


def _month(raw: str) -> date:
    try:
        return period_parse(raw)
    except ReetraceError as exc:
        raise CommandError(exc.message) from exc


class Command(BaseCommand):
    help = (
        "Print the mass balance per enterprise, month and element in kg REO: opening, "
        "origins, receipts, outputs, shipments, exports, inputs, adjustments, closing. "
        "With --engine spark the balance is recomputed from the postings of a lake "
        "(reetrace lake export) on Apache Spark; the lines are the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "enterprise", nargs="?", help="enterprise identifier (USCC); all when left out"
        )
        parser.add_argument("--from", dest="start", type=_month, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", type=_month, help="last month, YYYY-MM")
        parser.add_argument("--element", help="one element, e.g. Dy")
        parser.add_argument("--json", action="store_true", help="print the lines as JSON")
        parser.add_argument("--engine", default=DATABASE, choices=engine_names())
        parser.add_argument("--lake", metavar="PATH", help="the lake another engine reads")

    def handle(self, *args, enterprise, start, end, element, json: bool, **options):
        found = None
        if enterprise is not None:
            found = Enterprise.objects.filter(identifier=enterprise).first()
            if found is None:
                raise CommandError(f"enterprise {enterprise!r} does not exist")
        if element is not None and element not in ELEMENTS:
            raise CommandError(f"{element!r} is not an element")
        if start and end and start > end:
            raise CommandError("--from is after --to")
        try:
            source = engine_source(options["engine"], options["lake"])
        except ReetraceError as exc:
            raise CommandError(exc.message) from exc
        ids = {found.pk} if found else None
        lines = balance_report(
            enterprise_ids=ids, start=start, end=end, element=element, source=source
        )
        if json:
            self.stdout.write(_dumps(lines))
            return
        console = Console(file=self.stdout, width=200)
        who = f"{found.identifier} {found.display_name}" if found else "every enterprise"
        table = Table(title=f"mass balance of {who}")
        if not found:
            table.add_column("enterprise")
        table.add_column("month")
        table.add_column("element")
        for _key, header in COLUMNS:
            table.add_column(f"{header}\n({UNIT})", justify="right", no_wrap=True)
        for line in lines:
            first = [] if found else [line["enterprise"]]
            table.add_row(
                *first,
                line["period"],
                line["element"],
                *(f"{line[key]:,.3f}" for key, _ in COLUMNS),
            )
        console.print(table)
        if not lines:
            console.print("no stock movements in these months")


def _dumps(lines: list[dict]) -> str:
    return json.dumps(lines, indent=1)
