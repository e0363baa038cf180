"""The monthly mass balance of an enterprise, per element: what it cannot explain.

The ledger makes opening + inflows - outflows + adjustments = closing hold by
construction (stock is the sum of postings), so an imbalance never shows as a
gap between the two sides. It shows as material that left through the two
doors a balance cannot question: transformation losses and write-offs. Per
enterprise, month and element, the *unexplained* part is

    sum over the month's runs of max(0, input x (low - tolerance) - output)
    + REO written off as loss (process_loss, damage, theft, other)

where `low` is the low end of the run's process yield range. A run within its
range explains its loss; a good run never offsets a bad one.

This is the monthly aggregate view of `yield_out_of_range` (one run whose
overall yield is low) and `loss_adjustment` (one large write-off): on the same
enterprise-month it restates their kg per element next to the month's balance
line, which is what an analyst reconciling the enterprise's books reads. It is
not a duplicate of them: it is per element, so a run that keeps its overall
yield but skims part of one costly element (Dy kept at 60 % while everything
else is kept at 95 %: too much for the process, too little for
`element_dropped`) is found here only; and it sums a month, so several
write-offs each below `loss_adjustment`'s thresholds are found together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from reetrace.compliance.checks.base import Check, Finding, Window, kg
from reetrace.compliance.checks.ledger import (
    element_inflows,
    event_lots,
    lot_reo,
    transformation_balances,
)
from reetrace.compliance.config import rule_params
from reetrace.compliance.mass_balance import mass_balance
from reetrace.ledger.models import Adjustment, Transformation
from reetrace.registry.models import Enterprise


@dataclass
class Source:
    """One flow that left an element unexplained: a run's excess loss or a write-off."""

    kind: str  # "run" or "write_off"
    event_pk: int
    event_id: str
    detail: str
    reo_kg: dict[str, float] = field(default_factory=dict)


@dataclass
class Month:
    enterprise_id: int
    period: date
    unexplained: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sources: list[Source] = field(default_factory=list)


class MassBalance(Check):
    """Enterprise-months whose unexplained REO of an element exceeds the tolerance.

    Parameters: `tolerance_share` (unexplained kg of an element above this share of
    the element's REO that entered the enterprise's stock that month fires),
    `min_unexplained_reo_kg` (and above this many kg), `min_run_input_reo_kg` (a
    run's element input below this is rounding, not material), `severity`. The
    yield ranges and their tolerance are those of [yield_out_of_range]; the
    write-off reasons those of [loss_adjustment].
    """

    name = "mass_balance"
    title = "unexplained material in the monthly mass balance"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        months: dict[tuple[int, date], Month] = {}
        self._runs(window, months)
        self._write_offs(window, months)
        if not months:
            return
        inflows = element_inflows(window, self.source)
        flagged = []
        for (enterprise_id, period), month in sorted(months.items()):
            over = {}
            for element, amount in month.unexplained.items():
                taken_in = inflows.get((enterprise_id, period, element), 0.0)
                limit = max(p["min_unexplained_reo_kg"], p["tolerance_share"] * taken_in)
                if amount > limit:
                    over[element] = (amount, limit, taken_in)
            if over:
                flagged.append((month, over))
        if not flagged:
            return
        names = dict(
            Enterprise.objects.filter(pk__in={m.enterprise_id for m, _ in flagged}).values_list(
                "pk", "identifier"
            )
        )
        lines = self._balance_lines(flagged, window)
        lots = event_lots({s.event_pk for m, _ in flagged for s in m.sources})
        for month, over in flagged:
            yield self._finding(month, over, names[month.enterprise_id], lines, lots)

    def _runs(self, window: Window, months: dict[tuple[int, date], Month]) -> None:
        y = rule_params("yield_out_of_range")
        runs = transformation_balances(window, self.source)
        if not runs:
            return
        meta = {
            row[0]: row[1:]
            for row in Transformation.objects.filter(event_id__in=list(runs)).values_list(
                "event_id", "process", "event__event_id", "event__reporter_id", "event__period"
            )
        }
        for pk, run in runs.items():
            process, event_id, reporter_id, period = meta[pk]
            low = y["ranges"].get(process, [0.0, 1.0])[0]
            excess = {}
            for element, amount in run.inputs.items():
                if amount < self.params["min_run_input_reo_kg"]:
                    continue
                floor = amount * max(low - y["tolerance"], 0.0)
                missing = floor - run.outputs.get(element, 0.0)
                if missing > 0:
                    excess[element] = missing
            if not excess:
                continue
            month = months.setdefault((reporter_id, period), Month(reporter_id, period))
            for element, amount in excess.items():
                month.unexplained[element] += amount
            month.sources.append(
                Source(
                    "run", pk, event_id, f"{process} run below {low - y['tolerance']:.1%}", excess
                )
            )

    def _write_offs(self, window: Window, months: dict[tuple[int, date], Month]) -> None:
        adjustments = list(
            Adjustment.objects.filter(
                kg__lt=0,
                reason__in=rule_params("loss_adjustment")["reasons"],
                event__corrected_by__isnull=True,
                **window.period_filter("event__period"),
            ).values_list(
                "event_id", "event__event_id", "event__reporter_id", "event__period", "lot_id", "kg"
            )
        )
        if not adjustments:
            return
        per_kg = lot_reo({row[4] for row in adjustments})
        for event_pk, event_id, reporter_id, period, lot_id, change in adjustments:
            lost = {el: float(-change) * f for el, f in per_kg[lot_id].items()}
            month = months.setdefault((reporter_id, period), Month(reporter_id, period))
            for element, amount in lost.items():
                month.unexplained[element] += amount
            month.sources.append(Source("write_off", event_pk, event_id, "written off", lost))

    def _balance_lines(self, flagged, window: Window) -> dict[tuple[int, date, str], dict]:
        """The flagged months' balance lines (opening, flows, closing), as evidence."""
        last = max(month.period for month, _ in flagged)
        ids = {m.enterprise_id for m, _ in flagged}
        lines = mass_balance(end=last, enterprise_ids=ids, source=self.source)
        return {(x.enterprise_id, x.period, x.element): x.report() for x in lines}

    def _finding(self, month: Month, over: dict, identifier: str, lines, lots) -> Finding:
        elements = sorted(over, key=lambda el: -over[el][0])
        sources = [s for s in month.sources if set(s.reo_kg) & set(over)]
        codes: list[str] = []
        for source in sources:
            for code in lots[source.event_pk]["in"] + lots[source.event_pk]["out"]:
                if code not in codes:
                    codes.append(code)
        total = sum(over[el][0] for el in elements)
        parts = ", ".join(f"{kg(over[el][0])} kg {el}" for el in elements[:6])
        where = "; ".join(
            f"{s.event_id} ({s.detail}: "
            + ", ".join(f"{kg(s.reo_kg[el])} kg {el}" for el in elements[:3] if el in s.reo_kg)
            + ")"
            for s in sources[:8]
        )
        return Finding(
            rule=self.name,
            key=f"{identifier}|{month.period:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=month.enterprise_id,
            period=month.period,
            explanation=(
                f"{identifier}'s {month.period:%Y-%m} balance leaves {kg(total)} kg REO "
                f"unexplained ({parts}): lost in transformations beyond their process "
                f"yield or written off. Where: {where}. Material that leaves the books "
                "this way may have been sold unreported."
            ),
            figures={
                "expected": {el: kg(over[el][1]) for el in elements},
                "observed": {el: kg(over[el][0]) for el in elements},
                "tolerance": self.params["tolerance_share"],
                "unit": "kg REO",
                "taken_in_reo_kg": {el: kg(over[el][2]) for el in elements},
                "sources": [
                    {
                        "event": s.event_id,
                        "kind": s.kind,
                        "reo_kg": {el: kg(v) for el, v in sorted(s.reo_kg.items()) if el in over},
                    }
                    for s in sources
                ],
                "balance": {
                    el: lines[(month.enterprise_id, month.period, el)]
                    for el in elements
                    if (month.enterprise_id, month.period, el) in lines
                },
            },
            elements=elements,
            lots=codes[:100],
            events=[s.event_id for s in sources],
        )
