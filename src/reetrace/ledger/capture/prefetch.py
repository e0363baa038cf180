"""Reading, in a few queries, everything a batch refers to (and locking its lots).

`state_load` fills a `BatchState` before any rule runs: events the batch resends or
corrects, enterprises with their roles, products, quotas, sites, shipments with
what is left in transit, the postings a correction would reverse, lots with their
compositions and balances, and the closed months. Every query is a lookup by key
(`keyed_plans`). On PostgreSQL the existing lots are locked in primary-key order.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from pydantic import ValidationError

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.capture.content import (
    EVENT_ADAPTER,
    code_clean,
    error_from_validation,
    lot_refs,
    output_lots,
)
from reetrace.ledger.capture.plugins import CLOSED_MONTHS, EXPORT_GUARDS
from reetrace.ledger.capture.state import BatchState, LotState, PostingSpec, ShipmentState
from reetrace.ledger.choices import Bucket
from reetrace.ledger.models import (
    Correction,
    Event,
    Lot,
    LotElement,
    Posting,
    Receipt,
    Shipment,
)
from reetrace.ledger.schemas import CorrectIn, EventItem, ExportIn, ReceiveIn, ShipIn
from reetrace.registry.models import Enterprise, Product, Quota, Site

__all__ = ["replacement_parse", "state_load"]


def state_load(items: list[EventItem], *, actor: User, now: datetime) -> BatchState:
    """The ledger state the batch's rules will read, in a handful of queries."""
    state = BatchState(actor, now)
    corrections = [i for i in items if isinstance(i, CorrectIn)]
    ids = {i.event_id for i in items} | {i.corrects for i in corrections}
    for event in Event.objects.filter(event_id__in=ids).select_related("reporter"):
        state.events[event.event_id] = event
    flat = items + _replacements(state, corrections)
    _enterprises_load(state, flat, actor)
    product_codes = {lot.product for lot in output_lots(flat)}
    state.products = {p.code: p for p in Product.objects.filter(code__in=product_codes)}
    quota_codes = {q for i in flat if (q := getattr(i, "quota", None))}
    state.quotas = {q.code: q for q in Quota.objects.filter(code__in=quota_codes)}
    site_codes = {lot.site for lot in output_lots(flat) if lot.site}
    state.sites = {s.code: s for s in Site.objects.filter(code__in=site_codes)}
    _shipments_load(state, flat)
    _corrected_load(state, corrections)
    _lots_load(state, flat)
    _closed_months_load(state)
    _guards_seed(state, flat)
    return state


def _replacements(state: BatchState, corrections: list[CorrectIn]) -> list[EventItem]:
    """The replacement events of `replace` corrections, parsed, so their references
    are read with the rest; one that does not parse is refused later, by its rule."""
    found = []
    for item in corrections:
        original = state.events.get(item.corrects)
        if item.replacement is None or original is None:
            continue
        try:
            state.replacements[item.event_id] = replacement_parse(item, original)
        except ReetraceError:
            continue
        found.append(state.replacements[item.event_id])
    return found


def replacement_parse(item: CorrectIn, original: Event) -> EventItem:
    """The replacement event: the original's content with the corrected fields."""
    body = dict(original.payload) | dict(item.replacement or {})
    body.update(kind=original.kind, event_id=item.event_id, reporter=item.reporter)
    body.setdefault("event_time", item.event_time.isoformat())
    try:
        return EVENT_ADAPTER.validate_python(body)
    except ValidationError as exc:
        first = error_from_validation(exc, None)[0]
        raise ReetraceError(
            ErrorCode.INVALID,
            f"replacement.{first.message}",
            field=f"replacement.{first.field}",
        ) from exc


def _enterprises_load(state: BatchState, items: list[EventItem], actor: User) -> None:
    """The reporters and buyers the batch names and the actor's own enterprise, with
    their roles, in one query (and one for the roles)."""
    identifiers = {i.reporter for i in items if i.reporter}
    identifiers |= {i.buyer for i in items if isinstance(i, ShipIn)}
    named = Q(identifier__in=identifiers) | Q(pk=actor.enterprise_id)
    for enterprise in Enterprise.objects.filter(named).prefetch_related("roles"):
        _enterprise_remember(state, enterprise)


def _enterprise_remember(state: BatchState, enterprise: Enterprise) -> None:
    state.enterprises[enterprise.identifier] = enterprise
    state.roles[enterprise.pk] = enterprise.role_set()


def _shipments_load(state: BatchState, items: list[EventItem]) -> None:
    ids = {i.shipment for i in items if isinstance(i, ReceiveIn)}
    ids |= {i.corrects for i in items if isinstance(i, CorrectIn)}
    # Event keys first: filtering shipments by a join on event ids lets a planner
    # with stale statistics (a bulk load) scan every shipment for each batch.
    keys = list(Event.objects.filter(event_id__in=ids).values_list("pk", flat=True))
    _shipments_remember(state, keys)


def _shipments_remember(state: BatchState, event_keys: list[int]) -> None:
    """The shipments of these events (by key) with the mass left in transit, whether
    voided and whether received, in one query (four before: a batch of a few
    receipts paid them all)."""
    if not event_keys:
        return
    transit = (
        Posting.objects.filter(shipment=OuterRef("pk"), bucket=Bucket.TRANSIT)
        .values("shipment_id")
        .annotate(kg=Sum("kg"))
        .values("kg")
    )
    rows = (
        Shipment.objects.filter(event_id__in=event_keys)
        .select_related("event", "lot__product")
        .defer("event__payload")
        .annotate(
            transit_kg=Subquery(transit),
            voided=Exists(Correction.objects.filter(corrected=OuterRef("event_id"))),
            received=Exists(Receipt.objects.filter(shipment=OuterRef("pk"))),
        )
    )
    new = [s for s in rows if s.event.event_id not in state.shipments]
    _lots_remember(state, [s.lot for s in new])
    for shipment in new:
        state.shipments[shipment.event.event_id] = ShipmentState(
            shipment,
            shipment.transit_kg or Decimal(0),
            voided=shipment.voided,
            has_receipts=shipment.received,
        )


def _corrected_load(state: BatchState, corrections: list[CorrectIn]) -> None:
    """The events being corrected: whether already voided, and the postings to reverse."""
    targets = [state.events[i.corrects] for i in corrections if i.corrects in state.events]
    if not targets:
        return
    state.voided |= set(
        Correction.objects.filter(corrected__in=targets).values_list(
            "corrected__event_id", flat=True
        )
    )
    postings = list(
        Posting.objects.filter(event__in=targets).select_related(
            "lot__product", "holder", "event", "shipment__event"
        )
    )
    _lots_remember(state, [p.lot for p in postings])
    _shipments_remember(state, [p.shipment.event_id for p in postings if p.shipment is not None])
    for posting in postings:
        state.enterprises.setdefault(posting.holder.identifier, posting.holder)
        shipment = posting.shipment
        ship = state.shipments[shipment.event.event_id] if shipment is not None else None
        state.postings_of.setdefault(posting.event.event_id, []).append(
            PostingSpec(
                state.lots[posting.lot.code],
                posting.holder,
                posting.bucket,
                posting.flow,
                posting.kg,
                posting.period,
                ship,
            )
        )


def _lots_remember(state: BatchState, lots: list[Lot]) -> None:
    """Lots with their compositions, read in one query for all that are new."""
    new = {lot.pk: lot for lot in lots if lot.code not in state.lots}
    compositions: dict[int, dict[str, Decimal]] = {pk: {} for pk in new}
    rows = LotElement.objects.filter(lot_id__in=new).values_list("lot_id", "element", "fraction")
    for lot_id, element, fraction in rows:
        compositions[lot_id][element] = fraction
    for pk, lot in new.items():
        state.lots[lot.code] = LotState(lot, compositions[pk])


def _lots_load(state: BatchState, items: list[EventItem]) -> None:
    """The lots the batch names, locked in key order, and every holder's balance of them."""
    codes = set()
    for item in items:
        codes |= {code_clean(c) for c in lot_refs(item)}
        codes |= {code_clean(lot.code) for lot in output_lots([item]) if lot.code}
    codes -= set(state.lots)
    # With its product: an export guard reads the lot's form.
    _lots_remember(state, list(Lot.objects.filter(code__in=codes).select_related("product")))
    existing = [lot_state.lot.pk for lot_state in state.lots.values() if lot_state.lot.pk]
    if connection.features.has_select_for_update and existing:
        list(Lot.objects.select_for_update().filter(pk__in=existing).order_by("pk").values("pk"))
    code_of = {s.lot.pk: code for code, s in state.lots.items() if s.lot.pk}
    balances = (
        Posting.objects.filter(lot_id__in=existing, bucket=Bucket.STOCK)
        .values("lot_id", "holder_id")
        .annotate(kg=Sum("kg"))
    )
    for row in balances:
        state.stock[(code_of[row["lot_id"]], row["holder_id"])] = row["kg"]


def _closed_months_load(state: BatchState) -> None:
    ids = [e.pk for e in state.enterprises.values()]
    for point in CLOSED_MONTHS:
        state.closed |= set(point.call(ids))


def _guards_seed(state: BatchState, items: list[EventItem]) -> None:
    """Each export guard's batch state starts with the licence numbers the batch
    cites (`cited`), so a guard can read them all in one go."""
    cited = {i.licence for i in items if isinstance(i, ExportIn) and i.licence}
    for guard in EXPORT_GUARDS:
        state.guard_state[guard.name] = {"cited": set(cited)}
