"""Provenance over volumes and genealogy: where the material of a month or a lot began.

`recycled_ore_profile` and `import_declaration` judge one origin at a time. Two
more signals need more than one event: a recycler that suddenly "collects" far
more scrap than it ever did (`recycling_volume`: scrap is collected from end-of-life
goods at a slow, steady pace; ore laundered as scrap arrives in wagon loads), and
lots sold or exported whose upstream genealogy does not end in a legitimate
origin (`origin_unverified`): material mined beyond a quota, imported without a
customs record, or "recycled" with an ore's profile keeps its taint through every
separation, reduction and magnet run it feeds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window, add_months, kg
from reetrace.compliance.checks.ledger import DATABASE, MG_PPB_PER_KG, reo
from reetrace.compliance.checks.quotas import COLUMNS, limits_kg, mining_uses
from reetrace.compliance.config import rule_params
from reetrace.compliance.models import CustomsDeclaration
from reetrace.compliance.services.customs import declaration_number
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import ExportDeclaration, Lot, LotLink, Origin, Shipment
from reetrace.registry.models import Enterprise, Quota


def recycled_reo(end: date | None, source=None) -> dict[int, dict[date, float]]:
    """REO kg of the recycling origins (collected scrap) per recycler and month."""
    found: dict[int, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for reporter, period, element, metal in (source or DATABASE).recycled_metal(end):
        found[reporter][period] += reo(element, metal / MG_PPB_PER_KG)
    return found


class RecyclingVolume(Check):
    """A recycler's collected scrap (REO kg in a month) beyond what it could collect.

    Parameters: `capacity_reo_kg_per_month` (fires above this; 0 = no fixed
    capacity), `capacities` (identifier -> REO kg per month, overrides it per
    recycler, e.g. from its licence), `max_multiple` (or above this multiple of the
    median of its previous `history_months` months that had collections, once there
    are `min_history` of them), `min_reo_kg` (smaller months are never judged),
    `severity`.
    """

    name = "recycling_volume"
    title = "recycling beyond collectable scrap"
    incremental = True

    def affected(self, months: set[date]) -> set[date]:
        n = self.params["history_months"]
        return {add_months(month, k) for month in months for k in range(n + 1)}

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        volumes = recycled_reo(window.end, self.source)
        if not volumes:
            return
        names = dict(
            Enterprise.objects.filter(pk__in=list(volumes)).values_list("pk", "identifier")
        )
        n = p["history_months"]
        for enterprise_id, months in sorted(volumes.items()):
            identifier = names[enterprise_id]
            capacity = p["capacities"].get(identifier, p["capacity_reo_kg_per_month"])
            for month, observed in sorted(months.items()):
                if not window.contains(month):
                    continue
                history = [months.get(add_months(month, -k), 0.0) for k in range(n, 0, -1)]
                if rules.volume_spiked(
                    observed,
                    history,
                    max_multiple=p["max_multiple"],
                    min_history=p["min_history"],
                    capacity=capacity,
                    min_volume=p["min_reo_kg"],
                ):
                    yield self._finding(
                        enterprise_id, identifier, month, observed, history, capacity
                    )

    def _finding(self, enterprise_id, identifier, month, observed, history, capacity) -> Finding:
        active = [v for v in history if v > 0]
        median = rules.trailing_median(active)
        limit = self.params["max_multiple"] * median if active else None
        if capacity and (limit is None or capacity < limit):
            limit = capacity
        origins = list(
            Origin.objects.filter(
                event__kind=EventKind.RECYCLE,
                event__corrected_by__isnull=True,
                event__reporter_id=enterprise_id,
                event__period=month,
            )
            .order_by("event__event_time", "pk")
            .values_list("event__event_id", "lot__code")
        )
        return Finding(
            rule=self.name,
            key=f"{identifier}|{month:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=enterprise_id,
            period=month,
            explanation=(
                f"{identifier} declared {kg(observed)} kg REO of collected scrap in "
                f"{month:%Y-%m}"
                + (
                    f", {observed / median:.1f} times the median of its previous months "
                    if median
                    else ""
                )
                + (f"({kg(median)} kg REO)" if median else "")
                + (f"; its capacity is {kg(capacity)} kg REO a month" if capacity else "")
                + ". More scrap than a recycler can collect may be mined ore declared as "
                "scrap, outside any quota."
            ),
            figures={
                "expected": kg(limit) if limit is not None else None,
                "observed": kg(observed),
                "tolerance": self.params["max_multiple"],
                "unit": "kg REO",
                "median_reo_kg": kg(median),
                "capacity_reo_kg": capacity or None,
                "history_reo_kg": {
                    f"{add_months(month, k - len(history)):%Y-%m}": kg(v)
                    for k, v in enumerate(history)
                },
            },
            lots=[code for _, code in origins],
            events=[event_id for event_id, _ in origins],
        )


@dataclass
class BadOrigin:
    lot_id: int
    lot_code: str
    event_id: str
    reason: str


@dataclass
class Sales:
    enterprise_id: int
    period: date
    lots: dict[int, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    origins: dict[int, BadOrigin] = field(default_factory=dict)


_ROUND_CHUNK = 5_000  # parents per query: under SQLite's limit on bound parameters


def descendants(origin_lots: Iterable[int]) -> dict[int, set[int]]:
    """Every lot downstream of the given origin lots, with the origins it descends from.

    Walked in rounds, one query per round for the lots whose origin set grew (links of
    voided events left out), until nothing grows. One recursive closure per origin
    would re-walk the same blended lots once per origin: at medium scale hundreds of
    origins feed the same separations, each closure tens of thousands of lots.
    """
    tainted: dict[int, set[int]] = {lot: {lot} for lot in origin_lots}
    frontier = sorted(tainted)
    while frontier:
        grown: set[int] = set()
        for start in range(0, len(frontier), _ROUND_CHUNK):
            links = LotLink.objects.filter(
                parent_id__in=frontier[start : start + _ROUND_CHUNK],
                event__corrected_by__isnull=True,
            ).values_list("parent_id", "child_id")
            for parent, child in links:
                known = tainted.setdefault(child, set())
                if not tainted[parent] <= known:
                    known |= tainted[parent]
                    grown.add(child)
        frontier = sorted(grown)
    return tainted


class OriginUnverified(Check):
    """Lots sold or exported whose upstream genealogy ends in an origin that is not a
    registered mine under quota, a recorded customs import or genuine recycling.

    An origin is not legitimate when it was mined after its quota was crossed (the
    crossing of [quota_usage] `alert_at`), imported under a number that customs does
    not hold as an import of that declarant (once customs records are loaded; a
    missing number always), or recycled with an ore's profile ([recycled_ore_profile]
    shares). The genealogy is walked downstream from all such origins together
    (`descendants`), and only lots created in the window are judged, so the work is
    bounded by the bad origins' descendants, not by the ledger. One alert
    per seller or exporter and month lists the lots and the origins they descend from.
    Parameters: `severity`, `max_lots` (lots listed per alert).
    """

    name = "origin_unverified"
    title = "lot descends from an unverified origin"
    sources = ("customs",)

    def findings(self, window: Window) -> Iterator[Finding]:
        bad = self._bad_origins(window)
        if not bad:
            return
        tainted = descendants(origin.lot_id for origin in bad.values())
        created = set(
            Lot.objects.filter(
                pk__in=list(tainted), **window.period_filter("created_by__period")
            ).values_list("pk", flat=True)
        )
        if not created:
            return
        groups: dict[tuple[int, date], Sales] = {}
        sold = Shipment.objects.filter(
            lot_id__in=sorted(created), event__corrected_by__isnull=True
        ).values_list("seller_id", "event__period", "lot_id", "lot__code", "event__event_id")
        exported = ExportDeclaration.objects.filter(
            lot_id__in=sorted(created), event__corrected_by__isnull=True
        ).values_list("exporter_id", "event__period", "lot_id", "lot__code", "event__event_id")
        for seller, period, lot_id, code, event_id in [*sold, *exported]:
            if not window.contains(period):
                continue
            group = groups.setdefault((seller, period), Sales(seller, period))
            group.lots[lot_id] = code
            group.events.append(event_id)
            for origin_lot in tainted[lot_id]:
                group.origins[origin_lot] = bad[origin_lot]
        names = dict(
            Enterprise.objects.filter(pk__in={s for s, _ in groups}).values_list("pk", "identifier")
        )
        for (seller, _period), group in sorted(groups.items()):
            yield self._finding(group, names[seller])

    def _bad_origins(self, window: Window) -> dict[int, BadOrigin]:
        bad: dict[int, BadOrigin] = {}
        for origin in self._beyond_quota(window):
            bad[origin.lot_id] = origin
        for origin in self._unrecorded_imports(window):
            bad[origin.lot_id] = origin
        for origin in self._ore_as_scrap(window):
            bad[origin.lot_id] = origin
        return bad

    def _beyond_quota(self, window: Window) -> list[BadOrigin]:
        alert_at = rule_params("quota_usage")["alert_at"]
        quotas = {q.pk: q for q in Quota.objects.filter(kind="mining")}
        found = []
        for quota_id, per_event in mining_uses(list(quotas), window).items():
            quota = quotas[quota_id]
            limits = limits_kg(quota)
            used = dict.fromkeys(COLUMNS, 0.0)
            beyond = False
            for use in sorted(per_event.values(), key=lambda u: (u.event.event_time, u.event.pk)):
                for column in COLUMNS:
                    used[column] += use.reo[column]
                beyond = beyond or any(
                    rules.quota_level(used[c], limits[c], warn_at=alert_at, alert_at=alert_at)
                    == rules.OVERRUN
                    for c in COLUMNS
                )
                if beyond:
                    found.append((use.event.pk, f"mined beyond quota {quota.code}"))
        return self._origins_of(dict(found), window)

    def _unrecorded_imports(self, window: Window) -> list[BadOrigin]:
        imports = list(
            Origin.objects.filter(
                event__kind=EventKind.IMPORT,
                event__corrected_by__isnull=True,
                **({"event__period__lte": window.end} if window.end else {}),
            ).values_list("event_id", "customs_declaration", "event__reporter__identifier")
        )
        records = CustomsDeclaration.objects.filter(flow=CustomsDeclaration.Flow.IMPORT)
        held = None
        if records.exists():
            numbers = sorted({declaration_number(n) for _, n, _ in imports if n})
            held = {}
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                held.update(records.filter(number__in=chunk).values_list("number", "declarant"))
        reasons = {}
        for event_pk, raw, declarant in imports:
            number = declaration_number(raw)
            if not number:
                reasons[event_pk] = "imported without a customs declaration"
            elif held is not None and held.get(number) != declarant:
                reasons[event_pk] = f"imported under {number}, which customs holds no import of"
        return self._origins_of(reasons, window)

    def _ore_as_scrap(self, window: Window) -> list[BadOrigin]:
        p = rule_params("recycled_ore_profile")
        origins = (
            Origin.objects.filter(
                event__kind=EventKind.RECYCLE,
                event__corrected_by__isnull=True,
                **({"event__period__lte": window.end} if window.end else {}),
            )
            .select_related("event", "lot")
            .prefetch_related("lot__elements")
        )
        found = []
        for origin in origins:
            composition = {e.element: float(e.fraction) for e in origin.lot.elements.all()}
            magnet, ore = rules.profile_shares(composition)
            if magnet < p["min_magnet_share"] or ore > p["max_ore_marker_share"]:
                found.append(
                    BadOrigin(
                        origin.lot_id,
                        origin.lot.code,
                        origin.event.event_id,
                        "declared recycled but has an ore's profile",
                    )
                )
        return found

    @staticmethod
    def _origins_of(reasons: dict[int, str], window: Window) -> list[BadOrigin]:
        if not reasons:
            return []
        rows = Origin.objects.filter(event_id__in=list(reasons)).values_list(
            "event_id", "lot_id", "lot__code", "event__event_id"
        )
        return [BadOrigin(lot_id, code, eid, reasons[pk]) for pk, lot_id, code, eid in rows]

    def _finding(self, group: Sales, identifier: str) -> Finding:
        limit = self.params["max_lots"]
        codes = sorted(group.lots.values())
        origins = sorted(group.origins.values(), key=lambda o: o.lot_code)
        listed = "; ".join(f"{o.lot_code} ({o.reason})" for o in origins[:5])
        return Finding(
            rule=self.name,
            key=f"{identifier}|{group.period:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=group.enterprise_id,
            period=group.period,
            explanation=(
                f"{identifier} sold or exported {len(codes)} lot(s) in {group.period:%Y-%m} "
                f"whose genealogy goes back to {len(origins)} origin(s) that are not a mine "
                f"under quota, a recorded import or genuine recycling: {listed}"
                + (" and more" if len(origins) > 5 else "")
                + ". The seller may not know; the material should not be in the chain."
            ),
            figures={
                "expected": "origins: mine under quota, recorded import, recycling",
                "observed": [
                    {"lot": o.lot_code, "event": o.event_id, "reason": o.reason} for o in origins
                ],
                "tolerance": None,
                "unit": "origin",
                "lots_sold": len(codes),
            },
            lots=codes[:limit],
            events=sorted(set(group.events))[:limit] + [o.event_id for o in origins[:limit]],
        )
