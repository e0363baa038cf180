"""Aggregates over the ledger that several checks share, computed in SQL.

Masses are integer mg and fractions integer ppb, so their product would overflow
a 64-bit integer on big lots: it is taken in double precision (analytics need
grams, not milligrams). One GROUP BY over Posting joined to LotElement gives the
metal kg per (group, element); the REO factor is applied to the few rows that
come back, never per posting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast, Coalesce

from reetrace.compliance.checks.base import Window
from reetrace.compliance.mass_balance import flow_totals
from reetrace.ledger.choices import Bucket, EventKind, Flow, Process
from reetrace.ledger.models import (
    Correction,
    Event,
    LotElement,
    Origin,
    Posting,
    Shipment,
    Transformation,
)
from reetrace.registry.elements import ELEMENTS

MG_PPB_PER_KG = 1e15
NET_ZERO_KG = 1e-6  # what is left of a posting and its reversal after float summation
_METAL = Sum(Cast("kg", FloatField()) * Cast(F("lot__elements__fraction"), FloatField()))
_LOT_METAL = Sum(
    Cast("lot__mass_kg", FloatField()) * Cast(F("lot__elements__fraction"), FloatField())
)


def live_postings(window: Window):
    """Stock postings in the window's months, annotated so that sums come out net.

    A correction's postings are the reversal of the corrected event's postings plus,
    for `replace`, the replacement's. Nothing is excluded: every posting carries
    `net_event` (the correcting event's pk for a corrected event's postings, else its
    own event's) and `net_kind` (a correction's postings count as the kind of the
    event they correct). Grouped by `net_event`, a voided event and its reversal sum
    to zero and a replaced one to its replacement; summed over holders and months,
    they cancel because the reversal is dated in the corrected event's month.
    """
    return Posting.objects.filter(bucket=Bucket.STOCK, **window.period_filter()).annotate(
        net_event=Coalesce(F("event__corrected_by__event_id"), F("event_id")),
        net_kind=Coalesce(F("event__correction__corrected__kind"), F("event__kind")),
    )


class DatabaseSource:
    """Where checks read their set-based aggregates: the ledger's own tables.

    A check asks a source for metal per group of live stock postings (`metal`),
    per recycling origin (`recycled_metal`), the stock flow summary
    (`flow_totals`), the newest reporting month (`latest_period`) and the shipments
    due with what was received of them (`due_shipments`); the rules' arithmetic on
    what comes back is the same whatever the source. Another engine over a copy of
    the ledger (`reetrace.lake.spark`) implements the same methods. `rules` names
    the checks a source can serve (None: every check).
    """

    name = "database"
    rules: frozenset[str] | None = None

    def metal(
        self,
        window: Window,
        *,
        keys: tuple[str, ...],
        flows: Iterable[str],
        net_kind: str | None = None,
    ) -> Iterator[tuple]:
        """(*keys, element, metal) over live stock postings of the window's months.

        `keys` among holder_id, period, flow, net_event; metal is the sum of kg (mg)
        x fraction (ppb) in double precision; `net_kind` keeps the postings that net
        to that event kind (a correction counts as the kind it corrects).
        """
        rows = live_postings(window).filter(flow__in=list(flows))
        if net_kind is not None:
            rows = rows.filter(net_kind=net_kind)
        rows = rows.values(*keys, "lot__elements__element").annotate(metal=_METAL).order_by()
        return _keyed(rows, keys)

    def recycled_metal(self, end: date | None) -> Iterator[tuple]:
        """(reporter, period, element, metal) of recycling origins not corrected, to `end`."""
        rows = (
            Origin.objects.filter(
                event__kind=EventKind.RECYCLE,
                event__corrected_by__isnull=True,
                **({"event__period__lte": end} if end else {}),
            )
            .values("event__reporter_id", "event__period", "lot__elements__element")
            .annotate(metal=_LOT_METAL)
            .order_by()
        )
        return _keyed(rows, ("event__reporter_id", "event__period"))

    def flow_totals(
        self, end: date | None, *, enterprise_ids: set[int] | None, element: str | None
    ) -> Iterable[tuple]:
        """(holder, month, element, flow, metal micrograms) of stock, to `end`."""
        return flow_totals(end, enterprise_ids=enterprise_ids, element=element)

    def latest_period(self) -> date | None:
        return Event.objects.aggregate(last=Max("period"))["last"]

    def mined_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, event, element, metal) of the live mining origins under the quotas."""
        rows = (
            Origin.objects.filter(quota_id__in=quota_ids, event__corrected_by__isnull=True)
            .values("quota_id", "event_id", "lot__elements__element")
            .annotate(metal=_LOT_METAL)
            .order_by()
        )
        return _keyed(rows, ("quota_id", "event_id"))

    def separated_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, run, element, metal) consumed by live separation runs under the quotas.

        Recycled feed (lots a recycling run made) is no mining product: the total-quantity
        control of the 2024 Rare Earth Management Regulations covers mining and the
        smelting-separation of ore (that recycled feed is outside it is UNCONFIRMED), so
        a run's recycled inputs draw on no quota.

        The postings are first narrowed to the events that can carry a run's quota (the
        runs under the quotas and the corrections of such runs, found by the quota's
        index): the quota is a COALESCE over two joins that no index serves, so without
        it every consumed posting of the ledger was joined before being filtered (the
        quota check's and, before `ledger/quota_draws.py`, the quota table's read: 361 ms
        at a fifth of the medium year)."""
        quota = Coalesce(
            F("event__transformation__quota_id"),
            F("event__correction__corrected__transformation__quota_id"),
        )
        rows = (
            live_postings(Window(None, None, None))  # type: ignore[arg-type]
            .filter(event_id__in=_run_events(quota_ids))
            .annotate(run_quota=quota)
            .filter(net_kind=EventKind.TRANSFORM, flow=Flow.CONSUMED, run_quota__in=quota_ids)
            .exclude(lot__created_by__transformation__process=Process.RECYCLING)
            .values("run_quota", "net_event", "lot__elements__element")
            .annotate(metal=_METAL)
            .order_by()
        )
        return _keyed(rows, ("run_quota", "net_event"))

    def due_shipments(self, window: Window, days: int) -> list[tuple]:
        """(shipment pk, kg, kg received) of live shipments `days` old at `as_of`, oldest
        first; received sums the live receipts (None when there is none)."""
        received = Sum("receipts__kg", filter=Q(receipts__event__corrected_by__isnull=True))
        return list(
            Shipment.objects.filter(
                event__corrected_by__isnull=True,
                event__event_time__lte=window.as_of - timedelta(days=days),
                **window.period_filter("event__period"),
            )
            .annotate(received=received)
            .order_by("event__event_time", "pk")
            .values_list("pk", "kg", "received")
        )


DATABASE = DatabaseSource()


def _run_events(quota_ids: list[int]) -> list[int]:
    """Keys of the events whose postings may count against the quotas as a run's: the
    runs citing them (a replacement's own run included) and the corrections of those."""
    runs = Transformation.objects.filter(quota_id__in=quota_ids)
    corrections = Correction.objects.filter(corrected__transformation__quota_id__in=quota_ids)
    return [
        *runs.values_list("event_id", flat=True),
        *corrections.values_list("event_id", flat=True),
    ]


def _keyed(rows, keys: tuple[str, ...]) -> Iterator[tuple]:
    """(*keys, element, metal) of grouped rows that have both."""
    for row in rows:
        element, metal = row["lot__elements__element"], row["metal"]
        if element is not None and metal is not None:
            yield (*(row[k] for k in keys), element, metal)


def reo(element: str, metal_kg: float) -> float:
    return metal_kg * float(ELEMENTS[element].metal_to_oxide)


@dataclass
class RunBalance:
    """REO per element into and out of one transformation event."""

    event_pk: int
    inputs: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    outputs: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def transformation_balances(window: Window, source=None) -> dict[int, RunBalance]:
    """Per live transformation: REO per element consumed and produced (one GROUP BY).

    A voided run nets to nothing with its reversal and is left out.
    """
    rows = (source or DATABASE).metal(
        window,
        keys=("net_event", "flow"),
        flows=(Flow.CONSUMED, Flow.PRODUCED),
        net_kind=EventKind.TRANSFORM,
    )
    runs: dict[int, RunBalance] = {}
    for net_event, flow, element, metal in rows:
        amount = abs(reo(element, metal / MG_PPB_PER_KG))
        if amount < NET_ZERO_KG:
            continue
        run = runs.setdefault(net_event, RunBalance(net_event))
        side = run.inputs if flow == Flow.CONSUMED else run.outputs
        side[element] += amount
    return runs


INFLOWS = (Flow.ORIGIN, Flow.RECEIVED, Flow.PRODUCED)


def element_inflows(window: Window, source=None) -> dict[tuple[int, date, str], float]:
    """REO kg per holder, month and element that entered stock (origin, receipt, output)."""
    rows = (source or DATABASE).metal(window, keys=("holder_id", "period"), flows=INFLOWS)
    found: dict[tuple[int, date, str], float] = defaultdict(float)
    for holder, period, element, metal in rows:
        found[(holder, period, element)] += reo(element, metal / MG_PPB_PER_KG)
    return found


def monthly_inflows(window: Window, source=None) -> dict[tuple[int, date], float]:
    """REO kg that entered each holder's stock per month (origin, received, produced)."""
    found: dict[tuple[int, date], float] = defaultdict(float)
    for (holder, period, _element), amount in element_inflows(window, source).items():
        found[(holder, period)] += amount
    return found


def lot_reo(lot_ids: set[int]) -> dict[int, dict[str, float]]:
    """Per lot: REO kg per kg of lot for each element (fraction x factor)."""
    found: dict[int, dict[str, float]] = defaultdict(dict)
    rows = LotElement.objects.filter(lot_id__in=lot_ids).values_list(
        "lot_id", "element", "fraction"
    )
    for lot_id, element, fraction in rows:
        found[lot_id][element] = reo(element, float(fraction))
    return found


def event_lots(event_pks: set[int]) -> dict[int, dict[str, list[str]]]:
    """Lot codes an event consumed ('in') and made ('out'), for the alert's links."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"in": [], "out": []})
    rows = (
        Posting.objects.filter(event_id__in=event_pks, bucket=Bucket.STOCK)
        .values_list("event_id", "flow", "lot__code")
        .order_by("lot__code")
        .distinct()
    )
    for event_pk, flow, code in rows:
        side = "in" if flow == Flow.CONSUMED else "out"
        if code not in found[event_pk][side]:
            found[event_pk][side].append(code)
    return found


def events_by_pk(event_pks: set[int]) -> dict[int, Event]:
    return {
        e.pk: e for e in Event.objects.filter(pk__in=event_pks).select_related("transformation")
    }
