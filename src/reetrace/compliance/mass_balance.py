"""The mass balance of every enterprise, month and element, in REO-equivalent kg.

opening + origins + receipts + outputs = shipments + exports + inputs + losses
+ closing, read from the ledger's monthly flow summary (`ledger/monthly.py`: the
stock postings summed per holder, month, flow and element at capture), so a
year costs a few rows per enterprise-month, not a join of every posting to its
lot's composition. Voided events and their reversals cancel out because both
are postings, so the balance is the ledger's own arithmetic; what it shows an
analyst is *where* the material went each month (and the checks in `checks/`
judge the losses; the `mass_balance` rule judges each enterprise-month's
unexplained part).

`balance_report` is the report of the API (GET /compliance/balance) and of
`reetrace balance`: one line per enterprise, month and element with inflows and
outflows as positive REO kg and net adjustments signed, so that
opening + origin + received + produced - shipped - exported - consumed + adjusted
= closing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from reetrace.ledger.choices import Bucket, Flow
from reetrace.ledger.models import MonthlyFlow
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Enterprise

UG_PER_KG = 1e9
INFLOWS = (Flow.ORIGIN, Flow.RECEIVED, Flow.PRODUCED)
OUTFLOWS = (Flow.SHIPPED, Flow.EXPORTED, Flow.CONSUMED)
REPORT_FLOWS = (*INFLOWS, *OUTFLOWS, Flow.ADJUSTED)
UNIT = "kg REO"


@dataclass
class ElementMonth:
    """One line of the balance; flows are signed as posted (outflows negative)."""

    enterprise_id: int
    period: date
    element: str
    opening: float = 0.0
    flows: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def closing(self) -> float:
        return self.opening + sum(self.flows.values())

    def report(self) -> dict[str, float]:
        """Opening, each flow (outflows as positive kg, adjustments signed), closing."""
        line = {"opening": round(self.opening, 3)}
        for flow in REPORT_FLOWS:
            amount = self.flows.get(flow, 0.0)
            line[str(flow)] = round(-amount if flow in OUTFLOWS else amount, 3)
        line["closing"] = round(self.closing, 3)
        return line


def flow_totals(
    end: date | None = None,
    *,
    enterprise_ids: set[int] | None = None,
    element: str | None = None,
):
    """(holder, month, element, flow) -> metal micrograms, from the monthly flow summary."""
    rows = MonthlyFlow.objects.filter(bucket=Bucket.STOCK)
    if end:
        rows = rows.filter(period__lte=end)
    if enterprise_ids is not None:
        rows = rows.filter(holder_id__in=sorted(enterprise_ids))
    if element:
        rows = rows.filter(element=element)
    return rows.values_list("holder_id", "period", "element", "flow", "metal_ug")


def mass_balance(
    start: date | None = None,
    end: date | None = None,
    *,
    enterprise_ids: set[int] | None = None,
    element: str | None = None,
    source=None,
) -> list[ElementMonth]:
    """Per enterprise, month (from `start` to `end`) and element: opening, flows, closing.

    Months without postings are left out (their closing is the previous opening).
    `source` reads the flow totals elsewhere than the database (a Spark engine
    over the lake, `reetrace.lake.spark`); the arithmetic here is the same.
    """
    lines: dict[tuple[int, str, date], ElementMonth] = {}
    factors = {symbol: float(e.metal_to_oxide) / UG_PER_KG for symbol, e in ELEMENTS.items()}
    if source is None:
        rows = flow_totals(end, enterprise_ids=enterprise_ids, element=element)
    else:
        rows = source.flow_totals(end, enterprise_ids=enterprise_ids, element=element)
    for holder, period, symbol, flow, metal in rows:
        key = (holder, symbol, period)
        line = lines.get(key)
        if line is None:
            line = lines[key] = ElementMonth(holder, period, symbol)
        line.flows[flow] += metal * factors[symbol]
    carried: dict[tuple[int, str], float] = defaultdict(float)
    result = []
    for (holder, element, period), line in sorted(lines.items()):
        line.opening = carried[(holder, element)]
        carried[(holder, element)] = line.closing
        if start is None or period >= start:
            result.append(line)
    return result


def balance_report(
    *,
    enterprise_ids: set[int] | None,
    start: date | None = None,
    end: date | None = None,
    element: str | None = None,
    source=None,
) -> list[dict]:
    """Report lines (see the module doc) ordered by enterprise, month and element."""
    names = dict(
        Enterprise.objects.filter(
            **({"pk__in": sorted(enterprise_ids)} if enterprise_ids is not None else {})
        ).values_list("pk", "identifier")
    )
    lines = mass_balance(start, end, enterprise_ids=enterprise_ids, element=element, source=source)
    lines.sort(key=lambda x: (names.get(x.enterprise_id, ""), x.period, x.element))
    return [
        {
            "enterprise": names.get(line.enterprise_id, str(line.enterprise_id)),
            "period": f"{line.period:%Y-%m}",
            "element": line.element,
            "unit": UNIT,
            **line.report(),
        }
        for line in lines
    ]
