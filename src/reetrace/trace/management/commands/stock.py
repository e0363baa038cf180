"""`reetrace stock ENTERPRISE`: what an enterprise holds and has in transit to it.

Totals are per state, because stock on hand and material still on the road are
different answers to "how much does it have"; adding them would hide which.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rich.table import Table

from reetrace.accounts.management.console import (
    ReetraceCommand,
    elements_in,
    enterprise_get,
    kg_text,
)
from reetrace.core.quantities import round_kg
from reetrace.trace.selectors import stock_of


class Command(ReetraceCommand):
    help = "Show the lots an enterprise holds, with kg and REO kg per element."

    def add_arguments(self, parser):
        parser.add_argument("enterprise", help="enterprise identifier (USCC, or CC:id abroad)")
        parser.add_argument("--json", action="store_true", help="print a JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        enterprise = enterprise_get(options["enterprise"])
        lines = stock_of(enterprise=enterprise)
        totals = stock_totals(lines)
        if options["json"]:
            document = {"enterprise": enterprise.identifier, "lines": lines, "totals": totals}
            self.stdout.write(json.dumps(document, cls=DjangoJSONEncoder, indent=2))
            return
        self.console().print(_table(enterprise.display_name, lines, totals))


def stock_totals(lines: list[dict]) -> dict[str, dict]:
    """kg and REO kg per element, summed per state (in_stock, in_transit)."""
    totals: dict[str, dict] = {}
    for line in lines:
        total = totals.setdefault(line["state"], {"kg": Decimal(0), "reo_kg": defaultdict(Decimal)})
        total["kg"] += line["kg"]
        for el, reo in line["reo_kg"].items():
            total["reo_kg"][el] += reo
    for total in totals.values():
        total["reo_kg"] = {el: round_kg(v) for el, v in total["reo_kg"].items()}
    return totals


def _table(name: str, lines: list[dict], totals: dict[str, dict]) -> Table:
    elements = elements_in(*(line["reo_kg"] for line in lines))
    table = Table("lot", "product", "form", "state", "kg", title=f"stock of {name}")
    table.columns[-1].justify = "right"
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for n, line in enumerate(lines, start=1):
        reo = [kg_text(line["reo_kg"].get(el)) for el in elements]
        cells = (line["lot"], line["product"], line["form"], line["state"], kg_text(line["kg"]))
        table.add_row(*cells, *reo, end_section=n == len(lines))
    for state, total in sorted(totals.items()):
        reo = [kg_text(total["reo_kg"].get(el)) for el in elements]
        table.add_row("total", "", "", state, kg_text(total["kg"]), *reo, style="bold")
    if not lines:
        table.caption = "holds nothing"
    return table
