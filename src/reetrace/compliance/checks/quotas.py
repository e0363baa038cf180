"""Quota consumption: mining origins and separation inputs against the annual quota.

A quota is in tonnes REO, split light vs medium/heavy (registry ElementGroup).
Mining uses the REO of the lots mined under the quota; separation the REO of the
inputs of runs citing it (imported ore counts against separation quotas).
The use is accumulated in time order, so the alert names the month the quota
was crossed and the lots and events from that point on.

Only an overrun is an alert. Reaching `warn_at` (90 %) is a warning shown where
quota use is shown (`compliance.selectors.quota_use`, the national overview),
computed from the same `quota_uses`, so the two can never disagree: an
enterprise that uses its quota fully but lawfully is not a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window, kg, months_between
from reetrace.compliance.checks.ledger import (
    DATABASE,
    MG_PPB_PER_KG,
    NET_ZERO_KG,
    event_lots,
    reo,
)
from reetrace.ledger.models import Event, QuotaDraw
from reetrace.registry.elements import ELEMENTS, ElementGroup
from reetrace.registry.models import Quota

COLUMNS = ("light", "medium_heavy")
UG_PER_KG = 1e9


@dataclass
class Use:
    event: Event
    reo: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def _column(element: str) -> str:
    return "light" if ELEMENTS[element].group == ElementGroup.LIGHT else "medium_heavy"


def mining_uses(quota_ids: list[int], window: Window, source=None) -> dict[int, dict[int, Use]]:
    return _collect((source or DATABASE).mined_metal(quota_ids))


def quota_uses(quota_ids: list[int], window: Window, source=None) -> dict[int, dict[int, Use]]:
    """Per quota, per event (mining origin or separation run): REO used per column."""
    uses = mining_uses(quota_ids, window, source)
    for quota_id, per_event in _collect((source or DATABASE).separated_metal(quota_ids)).items():
        uses[quota_id].update(per_event)
    return uses


def quota_totals(quota_ids: list[int]) -> dict[int, dict[str, float]]:
    """Per quota, REO used per column: what `quota_uses` accumulates, read from the quota
    draw summary (`ledger/quota_draws.py`: metal per quota, element and source, kept by
    capture) instead of every origin and run of the year.

    The table shows only the year's totals; summing them per view read the year's
    mining origins and run inputs, each per element (130,000 rows, half a second at
    medium scale). The totals are the same because a run's or origin's metal per element
    keeps one sign (a mining origin's is its lot's; a run's consumption is negative,
    netted with its corrections), so the magnitude of the sum is the sum of the
    magnitudes. `tests/compliance/test_quota_totals.py` checks it against `quota_uses`."""
    totals: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0.0))
    draws = QuotaDraw.objects.filter(quota_id__in=quota_ids)
    for quota_id, element, metal in draws.values_list("quota_id", "element", "metal_ug"):
        totals[quota_id][_column(element)] += abs(reo(element, metal / UG_PER_KG))
    return totals


def limits_kg(quota: Quota) -> dict[str, float]:
    """The quota's columns in kg REO (quotas are set in tonnes)."""
    return {
        "light": float(quota.light_t) * 1000,
        "medium_heavy": float(quota.medium_heavy_t) * 1000,
    }


def _collect(rows) -> dict[int, dict[int, Use]]:
    """Uses from (quota, event, element, metal) rows."""
    found: dict[int, dict[int, Use]] = defaultdict(dict)
    rows = list(rows)
    # the fields a crossing names, not the canonical payloads (a separation's lists
    # every input: decoding them was most of the national overview's quota table)
    events = Event.objects.only("event_id", "event_time", "period").in_bulk(
        {event_pk for _, event_pk, _, _ in rows}
    )
    for quota_id, event_pk, element, metal in rows:
        amount = abs(reo(element, metal / MG_PPB_PER_KG))
        if amount < NET_ZERO_KG:
            continue  # a voided run and its reversal
        use = found[quota_id].setdefault(event_pk, Use(events[event_pk]))
        use.reo[_column(element)] += amount
    return found


class QuotaUsage(Check):
    """Mining or separation beyond the annual quota.

    Parameters: `alert_at` (share of a quota column beyond which the use is an
    overrun, severity high); `warn_at` is not an alert: it sets the warning
    status of `compliance.selectors.quota_use`.
    """

    name = "quota_usage"
    title = "quota use"
    incremental = True

    def affected(self, months: set[date]) -> set[date]:
        """A new use in a month can move the crossing to any later month of its year."""
        return {m for month in months for m in months_between(month, date(month.year, 12, 1))}

    def findings(self, window: Window) -> Iterator[Finding]:
        years = None
        if window.start and window.end:
            years = range(window.start.year, window.end.year + 1)
        if window.months is not None:
            years = sorted({month.year for month in window.months})
        quotas = Quota.objects.all() if years is None else Quota.objects.filter(year__in=years)
        quotas = {q.pk: q for q in quotas}
        for quota_id, per_event in quota_uses(list(quotas), window, self.source).items():
            ordered = sorted(per_event.values(), key=lambda u: (u.event.event_time, u.event.pk))
            finding = self._crossing(quotas[quota_id], ordered)
            if finding is not None and window.contains(finding.period):
                yield finding

    def _crossing(self, quota: Quota, uses: list[Use]) -> Finding | None:
        limits = limits_kg(quota)
        alert_at = self.params["alert_at"]
        used = dict.fromkeys(COLUMNS, 0.0)
        for n, use in enumerate(uses):
            for column in COLUMNS:
                used[column] += use.reo[column]
            crossed = [
                c
                for c in COLUMNS
                if rules.quota_level(used[c], limits[c], warn_at=alert_at, alert_at=alert_at)
                == rules.OVERRUN
            ]
            if crossed:
                return self._finding(quota, uses, n, crossed, limits)
        return None

    def _finding(self, quota, uses, n, crossed, limits) -> Finding:
        later = uses[n:]
        totals = {c: sum(u.reo[c] for u in uses) for c in COLUMNS}
        lots = event_lots({u.event.pk for u in later})
        codes = sorted({code for sides in lots.values() for code in sides["out"] + sides["in"]})
        column = crossed[0]
        return Finding(
            rule=self.name,
            key=f"{quota.code}|over",
            severity="high",
            enterprise_id=quota.enterprise_id,
            period=uses[n].event.period,
            explanation=(
                f"{quota.kind} quota {quota.code} ({quota.year}): {column} REO use reached "
                f"{kg(totals[column] / 1000)} t against {kg(limits[column] / 1000)} t; "
                f"crossed with {uses[n].event.event_id}. Everything after it is beyond the quota."
            ),
            figures={
                "expected": kg(limits[column] / 1000),
                "observed": kg(totals[column] / 1000),
                "tolerance": self.params["alert_at"],
                "unit": "t REO",
                "quota": quota.code,
                "used_t": {c: kg(totals[c] / 1000) for c in COLUMNS},
                "quota_t": {c: kg(limits[c] / 1000) for c in COLUMNS},
            },
            elements=[],
            lots=codes,
            events=[u.event.event_id for u in later],
        )
