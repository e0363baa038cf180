"""`reetrace reconcile --partner FILE --format comext|comtrade|national [--from YYYY-MM
--to YYYY-MM] [--by hs6|group] [--level country|eu27] [--set key=value ...]
[--json | --xlsx OUT]`: load the partner file (once; the same file and vintage is
the same dataset) and print the comparison with its decomposition.

`--open-case PRODUCT/COUNTRY/MONTH --analyst USERNAME` opens a case from that cell
instead (alerts about its exporters, assigned to the analyst), as the portal and the
API do."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from reetrace.compliance.engines import DATABASE, engine_names, engine_source
from reetrace.compliance.selectors import analyst_get
from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.core.periods import period_parse
from reetrace.reconciliation.outputs.files import report_json, report_print, report_xlsx
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from reetrace.reconciliation.services.datasets import dataset_load
from reetrace.reconciliation.services.referral import cell_case_open


class Command(BaseCommand):
    help = "Reconcile a partner's import statistics with our export declarations."

    def add_arguments(self, parser):
        parser.add_argument("--partner", type=Path, required=True, help="partner CSV file")
        parser.add_argument("--format", required=True, choices=["comext", "comtrade", "national"])
        parser.add_argument("--vintage", type=date.fromisoformat, help="publication date")
        parser.add_argument("--source", default="", help="publisher (default by format)")
        parser.add_argument("--aggregate", default="", help="aggregate definition")
        parser.add_argument("--weight-basis", default="net", choices=["net", "gross"])
        parser.add_argument("--from", dest="start", help="first month YYYY-MM")
        parser.add_argument("--to", dest="end", help="last month YYYY-MM")
        parser.add_argument("--by", default="hs6", choices=["hs6", "group"])
        parser.add_argument("--level", default="country", choices=["country", "eu27"])
        parser.add_argument("--set", action="append", default=[], help="parameter key.path=value")
        parser.add_argument(
            "--open-case", metavar="PRODUCT/COUNTRY/MONTH", help="open a case from this cell"
        )
        parser.add_argument("--analyst", help="username of the analyst opening the case")
        parser.add_argument(
            "--engine",
            default=DATABASE,
            choices=engine_names(),
            help="where our export declarations are read (spark: from the lake)",
        )
        parser.add_argument("--lake", metavar="PATH", help="the lake another engine reads")
        out = parser.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true", help="print the report as JSON")
        out.add_argument("--xlsx", type=Path, help="write the report to this workbook")

    def handle(self, *args, **o):
        if o["open_case"] and not o["analyst"]:
            raise CommandError("--open-case needs --analyst (who opens the case)")
        if o["open_case"] and (o["start"] or o["end"] or o["set"] or o["json"] or o["xlsx"]):
            raise CommandError(
                "--open-case compares the whole dataset with the default parameters and "
                "prints the case: leave out --from, --to, --set, --json and --xlsx"
            )
        try:
            if o["open_case"]:
                self.stdout.write(self._case(o))
                return
            report = self._report(o)
        except (OSError, ReetraceError, BatchRejected) as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            self.stdout.write(report_json(report))
        elif o["xlsx"]:
            report_xlsx(report, o["xlsx"])
            self.stdout.write(f"{len(report['cells'])} cells written to {o['xlsx']}")
        else:
            console = Console(file=StringIO(), width=200)
            report_print(report, console)
            self.stdout.write(console.file.getvalue(), ending="")

    def _case(self, o: dict) -> str:
        cell = o["open_case"].split("/")
        if len(cell) != 3:
            raise CommandError(f"--open-case {o['open_case']!r}: write PRODUCT/COUNTRY/MONTH")
        product, country, month = cell
        analyst = analyst_get(username=o["analyst"])
        case, created = cell_case_open(
            actor=analyst,
            dataset=self._dataset(o),
            scope=Scope(by=o["by"], level=o["level"]),
            product=product,
            country=country.upper(),
            month=f"{period_parse(month, field='open-case'):%Y-%m}",
        )
        alerts = ", ".join(str(pk) for pk in case.alerts.values_list("pk", flat=True))
        state = "opened" if created else "already open"
        return f"case {case.pk} {state}: {case.title} (alerts {alerts})"

    def _dataset(self, o: dict):
        path: Path = o["partner"]
        vintage = o["vintage"] or date.fromtimestamp(path.stat().st_mtime)
        return dataset_load(
            actor=None,
            content=path.read_bytes(),
            filename=path.name,
            format=o["format"],
            vintage=vintage,
            source=o["source"],
            aggregate=o["aggregate"],
            weight_basis=o["weight_basis"],
        )

    def _report(self, o: dict) -> dict:
        dataset = self._dataset(o)
        scope = Scope(
            by=o["by"],
            level=o["level"],
            start=period_parse(o["start"], field="from") if o["start"] else None,
            end=period_parse(o["end"], field="to") if o["end"] else None,
        )
        source = engine_source(o["engine"], o["lake"])
        return comparison_report(
            dataset=dataset, actor=None, scope=scope, overrides=o["set"], source=source
        )
