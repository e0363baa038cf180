"""Aggregates over the ledger that several checks share, computed in SQL.

Masses are integer mg and fractions integer ppb, so their product would overflow
a 64-bit integer on big lots: it is taken in double precision (analytics need
grams, not milligrams). One GROUP BY over Posting joined to LotElement gives the
metal kg per (group, element); the REO factor is applied to the few rows that
come back, never per posting.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast, Coalesce

from reetrace.compliance.checks.base import Window
from reetrace.ledger.choices import Bucket, EventKind, Flow
from reetrace.ledger.models import Event, LotElement, Posting
from reetrace.registry.elements import ELEMENTS

MG_PPB_PER_KG = 1e15
NET_ZERO_KG = 1e-6  # what is left of a posting and its reversal after float summation
_METAL = Sum(Cast("kg", FloatField()) * Cast(F("lot__elements__fraction"), FloatField()))


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


def reo(element: str, metal_kg: float) -> float:
    return metal_kg * float(ELEMENTS[element].metal_to_oxide)


@dataclass
class RunBalance:
    """REO per element into and out of one transformation event."""

    event_pk: int
    inputs: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    outputs: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def transformation_balances(window: Window) -> dict[int, RunBalance]:
    """Per live transformation: REO per element consumed and produced (one GROUP BY).

    A voided run nets to nothing with its reversal and is left out.
    """
    rows = (
        live_postings(window)
        .filter(net_kind=EventKind.TRANSFORM, flow__in=[Flow.CONSUMED, Flow.PRODUCED])
        .values("net_event", "flow", "lot__elements__element")
        .annotate(metal=_METAL)
        .order_by()
    )
    runs: dict[int, RunBalance] = {}
    for row in rows:
        element = row["lot__elements__element"]
        if element is None or row["metal"] is None:
            continue
        amount = abs(reo(element, row["metal"] / MG_PPB_PER_KG))
        if amount < NET_ZERO_KG:
            continue
        run = runs.setdefault(row["net_event"], RunBalance(row["net_event"]))
        side = run.inputs if row["flow"] == Flow.CONSUMED else run.outputs
        side[element] += amount
    return runs


def monthly_inflows(window: Window) -> dict[tuple[int, date], float]:
    """REO kg that entered each holder's stock per month (origin, received, produced)."""
    rows = (
        live_postings(window)
        .filter(flow__in=[Flow.ORIGIN, Flow.RECEIVED, Flow.PRODUCED])
        .values("holder_id", "period", "lot__elements__element")
        .annotate(metal=_METAL)
        .order_by()
    )
    found: dict[tuple[int, date], float] = defaultdict(float)
    for row in rows:
        element = row["lot__elements__element"]
        if element is not None and row["metal"] is not None:
            found[(row["holder_id"], row["period"])] += reo(element, row["metal"] / 1e15)
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
