"""The rules of each event kind, applied to the batch's working state.

One function per kind, `<kind>_apply(state, plan, item)`, taking the kind's own
schema; `APPLY` at the end is the table the session dispatches on. Each checks
what only that kind needs, adds the rows the event writes to its `plan`, and moves
stock in `state` through `holdings.post`. The rules every event shares (reporter,
role, time, closed month) ran before, in `common.event_plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.ledger import rules
from reetrace.ledger.capture.content import positive_mass
from reetrace.ledger.capture.holdings import held_lot, lot_new, lot_of, post, quota_of
from reetrace.ledger.capture.plugins import EXPORT_GUARDS, ExportCheck
from reetrace.ledger.capture.prefetch import replacement_parse
from reetrace.ledger.capture.state import BatchState, LotState, Plan, ShipmentState
from reetrace.ledger.choices import (
    REPLACEABLE_KINDS,
    AdjustReason,
    Bucket,
    CorrectionAction,
    EventKind,
    Flow,
    Process,
)
from reetrace.ledger.models import (
    Adjustment,
    Correction,
    Event,
    ExportDeclaration,
    Origin,
    Receipt,
    Shipment,
    Transformation,
)
from reetrace.ledger.schemas import (
    AdjustIn,
    CorrectIn,
    ExportIn,
    ImportIn,
    MineIn,
    ReceiveIn,
    RecycleIn,
    ShipIn,
    TransformIn,
)
from reetrace.registry.choices import QuotaKind
from reetrace.registry.identifiers import country_validate
from reetrace.registry.models import Enterprise

__all__ = ["APPLY", "KindRule"]


def mine_apply(state: BatchState, plan: Plan, item: MineIn) -> None:
    reporter = plan.reporter
    quota = quota_of(state, item.quota, reporter, QuotaKind.MINING, item.event_time.year)
    lot = lot_new(state, plan, item.lot, reporter, "lot")
    plan.add(Origin(event=plan.event, lot=lot.lot, quota=quota))
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)


def import_apply(state: BatchState, plan: Plan, item: ImportIn) -> None:
    reporter = plan.reporter
    country = country_validate(item.origin_country, field="origin_country")
    lot = lot_new(state, plan, item.lot, reporter, "lot")
    plan.add(
        Origin(
            event=plan.event,
            lot=lot.lot,
            origin_country=country,
            customs_declaration=item.customs_declaration,
        )
    )
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)


def recycle_apply(state: BatchState, plan: Plan, item: RecycleIn) -> None:
    reporter = plan.reporter
    lot = lot_new(state, plan, item.lot, reporter, "lot")
    plan.add(Origin(event=plan.event, lot=lot.lot, source=item.source))
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)


def transform_apply(state: BatchState, plan: Plan, item: TransformIn) -> None:
    """Inputs consumed, outputs made, each element conserved, and the genealogy links
    carrying each input's share of every output."""
    reporter = plan.reporter
    quota = None
    if item.process == Process.SEPARATION:
        if not item.quota:
            raise ReetraceError(
                ErrorCode.UNKNOWN_QUOTA,
                "a separation must cite the separation quota it uses",
                field="quota",
            )
        year = item.event_time.year
        quota = quota_of(state, item.quota, reporter, QuotaKind.SEPARATION, year)
    inputs: list[tuple[LotState, Decimal]] = []
    for n, line in enumerate(item.inputs):
        kg = positive_mass(line.mass, f"inputs.{n}.mass")
        spent = held_lot(state, line.lot, reporter, kg, f"inputs.{n}")
        inputs.append((spent, kg))
        post(state, plan, spent, reporter, Bucket.STOCK, Flow.CONSUMED, -kg)
    outputs = [
        lot_new(state, plan, out, reporter, f"outputs.{n}") for n, out in enumerate(item.outputs)
    ]
    in_portions = [rules.Portion(kg, s.composition) for s, kg in inputs]
    out_portions = [rules.Portion(s.lot.mass_kg, s.composition) for s in outputs]
    rules.conservation_check(in_portions, out_portions)
    plan.add(Transformation(event=plan.event, process=item.process, quota=quota))
    links = rules.attribution_links(in_portions, out_portions)
    for made, per_input in zip(outputs, links, strict=True):
        post(state, plan, made, reporter, Bucket.STOCK, Flow.PRODUCED, made.lot.mass_kg)
        for (spent, _), (kg, reo) in zip(inputs, per_input, strict=True):
            plan.links.append((spent.lot, made.lot, kg, {el: str(v) for el, v in reo.items()}))


def ship_apply(state: BatchState, plan: Plan, item: ShipIn) -> None:
    """A sale to a registered domestic buyer: out of stock, into transit to the buyer."""
    reporter = plan.reporter
    kg = positive_mass(item.mass, "mass")
    buyer = state.enterprises.get(item.buyer)
    if buyer is None:
        raise ReetraceError(
            ErrorCode.UNKNOWN_ENTERPRISE,
            f"buyer {item.buyer!r} is not registered; customers must be in the registry",
            field="buyer",
        )
    if buyer.pk == reporter.pk:
        raise ReetraceError(ErrorCode.INVALID, "buyer cannot be the seller", field="buyer")
    if not buyer.is_domestic:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"buyer {buyer.identifier} is abroad; report an export event instead",
            field="buyer",
        )
    lot = held_lot(state, item.lot, reporter, kg, "lot")
    shipment = Shipment(
        event=plan.event,
        seller=reporter,
        buyer=buyer,
        lot=lot.lot,
        kg=kg,
        unit_price=item.unit_price,
        currency=item.currency,
        contract=item.contract,
    )
    plan.add(shipment)
    in_transit = state.shipments[item.event_id] = ShipmentState(shipment, Decimal(0))
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.SHIPPED, -kg)
    post(state, plan, lot, buyer, Bucket.TRANSIT, Flow.IN_TRANSIT, kg, in_transit)


def receive_apply(state: BatchState, plan: Plan, item: ReceiveIn) -> None:
    """The buyer takes (part of) a shipment still in transit into its stock."""
    reporter = plan.reporter
    kg = positive_mass(item.mass, "mass")
    in_transit = state.shipments.get(item.shipment)
    if in_transit is None or in_transit.voided:
        raise ReetraceError(
            ErrorCode.UNKNOWN_SHIPMENT,
            f"shipment {item.shipment!r} does not exist" + (" (voided)" if in_transit else ""),
            field="shipment",
        )
    shipment = in_transit.shipment
    if shipment.buyer_id != reporter.pk:
        raise ReetraceError(
            ErrorCode.REPORTER_NOT_ALLOWED,
            f"shipment {item.shipment} is addressed to another buyer",
            field="shipment",
        )
    if kg > in_transit.remaining:
        raise ReetraceError(
            ErrorCode.RECEIPT_EXCEEDS_TRANSIT,
            f"{kg} kg received but only {in_transit.remaining} kg of shipment "
            f"{item.shipment} is in transit",
            field="mass",
        )
    plan.add(Receipt(event=plan.event, shipment=shipment, kg=kg))
    in_transit.has_receipts = True
    lot = state.lots[shipment.lot.code]
    post(state, plan, lot, reporter, Bucket.TRANSIT, Flow.IN_TRANSIT, -kg, in_transit)
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.RECEIVED, kg)


def export_apply(state: BatchState, plan: Plan, item: ExportIn) -> None:
    """An export declaration out of stock, after every export guard let it pass."""
    reporter = plan.reporter
    kg = positive_mass(item.mass, "mass")
    destination = country_validate(item.destination, field="destination")
    if destination == "CN":
        raise ReetraceError(
            ErrorCode.COUNTRY_INVALID,
            "an export's destination cannot be CN",
            field="destination",
        )
    lot = held_lot(state, item.lot, reporter, kg, "lot")
    check = ExportCheck(
        plan.event,
        reporter,
        lot.lot,
        lot.composition,
        kg,
        destination,
        item.consignee,
        item.end_user,
        item.licence,
        item.hs_code,
    )
    for guard in EXPORT_GUARDS:
        plan.extra_rows.extend(guard.call(check, state.guard_state.setdefault(guard.name, {})))
    plan.add(
        ExportDeclaration(
            event=plan.event,
            exporter=reporter,
            lot=lot.lot,
            kg=kg,
            customs_declaration=item.customs_declaration,
            hs_code=item.hs_code,
            destination=destination,
            consignee=item.consignee,
            end_user=item.end_user,
            licence_number=item.licence,
            fob_value=item.fob_value,
            currency=item.currency,
        )
    )
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.EXPORTED, -kg)


# Reasons that can only take material away: a positive "loss" would create stock from
# nothing under a name no one checks for gains.
LOSS_REASONS = {AdjustReason.PROCESS_LOSS, AdjustReason.DAMAGE, AdjustReason.THEFT}


def adjust_apply(state: BatchState, plan: Plan, item: AdjustIn) -> None:
    """A signed stock change of a lot the reporter holds or held (a count, a loss)."""
    reporter = plan.reporter
    kg = parse_mass(item.mass, field="mass")
    if kg == 0:
        raise ReetraceError(
            ErrorCode.QUANTITY_NOT_POSITIVE,
            "an adjustment of 0 kg changes nothing",
            field="mass",
        )
    if kg > 0 and item.reason in LOSS_REASONS:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"a {AdjustReason(item.reason).label} is a loss: its mass is negative "
            f"({kg} kg would add stock; a count that finds more is a stock_count)",
            field="mass",
        )
    lot = lot_of(state, item.lot, "lot")
    if (lot.lot.code, reporter.pk) not in state.stock:
        raise ReetraceError(
            ErrorCode.LOT_NOT_HELD,
            f"{reporter.identifier} has never held lot {lot.lot.code}",
            field="lot",
        )
    if kg < 0:
        held_lot(state, item.lot, reporter, -kg, "lot")
    plan.add(Adjustment(event=plan.event, lot=lot.lot, kg=kg, reason=item.reason, note=item.note))
    post(state, plan, lot, reporter, Bucket.STOCK, Flow.ADJUSTED, kg)


def correct_apply(state: BatchState, plan: Plan, item: CorrectIn) -> None:
    """Void an earlier event by reversing its postings, and for `replace` apply the
    replacement under the correction's own event id."""
    original = _correctable(state, item, plan.reporter)
    in_transit = state.shipments.get(item.corrects)
    if in_transit is not None and in_transit.has_receipts:
        raise ReetraceError(
            ErrorCode.EVENT_NOT_CORRECTABLE,
            f"shipment {item.corrects} has receipts; correct the receipts first",
            field="corrects",
        )
    _reverse(state, plan, item.corrects)
    state.voided.add(item.corrects)
    if (plan.reporter.pk, original.period) in state.closed:
        plan.event.is_late = True
    if in_transit is not None:
        in_transit.voided = True
    plan.add(
        Correction(event=plan.event, corrected=original, action=item.action, reason=item.reason)
    )
    if item.action == CorrectionAction.REPLACE:
        replacement = state.replacements.get(item.event_id) or replacement_parse(item, original)
        APPLY[EventKind(original.kind)](state, plan, replacement)


def _correctable(state: BatchState, item: CorrectIn, reporter: Enterprise) -> Event:
    """The event corrected: the reporter's own, not a correction, not voided yet, and
    for `replace` one that makes no lots, with a replacement given."""
    original = state.events.get(item.corrects)
    if original is None:
        raise ReetraceError(
            ErrorCode.NOT_FOUND, f"event {item.corrects!r} does not exist", field="corrects"
        )
    if original.reporter_id != reporter.pk:
        raise ReetraceError(
            ErrorCode.REPORTER_NOT_ALLOWED,
            f"event {item.corrects} was reported by another enterprise",
            field="corrects",
        )
    if original.kind == EventKind.CORRECT:
        raise ReetraceError(
            ErrorCode.EVENT_NOT_CORRECTABLE,
            "a correction cannot itself be corrected",
            field="corrects",
        )
    if item.corrects in state.voided:
        raise ReetraceError(
            ErrorCode.EVENT_ALREADY_VOIDED,
            f"event {item.corrects} was already corrected",
            field="corrects",
        )
    if item.action == CorrectionAction.REPLACE:
        if original.kind not in REPLACEABLE_KINDS:
            raise ReetraceError(
                ErrorCode.EVENT_NOT_CORRECTABLE,
                f"a {original.kind} event makes lots; void it and report a new event instead",
                field="action",
            )
        if item.replacement is None:
            raise ReetraceError(
                ErrorCode.INVALID, "action 'replace' needs a replacement", field="replacement"
            )
    return original


def _reverse(state: BatchState, plan: Plan, event_id: str) -> None:
    """Postings that undo the event's, dated in its month; no stock may go below 0."""
    for spec in state.postings_of.get(event_id, []):
        if spec.bucket == Bucket.STOCK:
            balance = state.stock.get((spec.lot.lot.code, spec.holder.pk), Decimal(0))
            if balance - spec.kg < 0:
                raise ReetraceError(
                    ErrorCode.INSUFFICIENT_BALANCE,
                    f"voiding {event_id} would leave lot {spec.lot.lot.code} at "
                    f"{balance - spec.kg} kg for {spec.holder.identifier}; "
                    "correct the later events first",
                    field="corrects",
                )
        post(
            state,
            plan,
            spec.lot,
            spec.holder,
            spec.bucket,
            spec.flow,
            -spec.kg,
            spec.shipment,
            period=spec.period,
        )


# A kind's rule: check the item against the batch state, add its rows to the plan.
KindRule = Callable[[BatchState, Plan, Any], None]

APPLY: dict[EventKind, KindRule] = {
    EventKind.MINE: mine_apply,
    EventKind.IMPORT: import_apply,
    EventKind.RECYCLE: recycle_apply,
    EventKind.TRANSFORM: transform_apply,
    EventKind.SHIP: ship_apply,
    EventKind.RECEIVE: receive_apply,
    EventKind.EXPORT: export_apply,
    EventKind.ADJUST: adjust_apply,
    EventKind.CORRECT: correct_apply,
}
