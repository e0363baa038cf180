"""What the kind rules share: quotas, lots held, new lots, and postings.

Each function reads the batch's working state and, where it moves mass, moves it
there too (`post`), so a later item of the batch sees what an earlier one did.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger import rules
from reetrace.ledger.capture.content import positive_mass
from reetrace.ledger.capture.state import BatchState, LotState, Plan, PostingSpec, ShipmentState
from reetrace.ledger.choices import Bucket
from reetrace.ledger.codes import lot_code_new, lot_code_validate
from reetrace.ledger.models import Lot, LotConstituent
from reetrace.ledger.schemas import LotIn
from reetrace.registry.models import Enterprise, Quota

__all__ = ["held_lot", "lot_new", "lot_of", "post", "quota_of"]


def quota_of(state: BatchState, code: str, reporter: Enterprise, kind: str, year: int) -> Quota:
    """The quota cited, which must be the reporter's quota of this kind and year."""
    quota = state.quotas.get(code)
    if quota is None:
        raise ReetraceError(
            ErrorCode.UNKNOWN_QUOTA, f"quota {code!r} does not exist", field="quota"
        )
    if quota.enterprise_id != reporter.pk or quota.kind != kind or quota.year != year:
        raise ReetraceError(
            ErrorCode.QUOTA_MISMATCH,
            f"quota {code} is a {quota.year} {quota.kind} quota of another holder or year; "
            f"this event needs {reporter.identifier}'s {year} {kind} quota",
            field="quota",
        )
    return quota


def lot_of(state: BatchState, raw: str, field_name: str) -> LotState:
    """An existing lot (in the ledger or made earlier in the batch) by its code."""
    code = lot_code_validate(raw, field=field_name)
    found = state.lots.get(code)
    if found is None:
        raise ReetraceError(ErrorCode.UNKNOWN_LOT, f"lot {code} does not exist", field=field_name)
    return found


def held_lot(
    state: BatchState, raw: str, holder: Enterprise, kg: Decimal, field_name: str
) -> LotState:
    """A lot of which `holder` has at least `kg` in stock."""
    found = lot_of(state, raw, field_name)
    balance = state.stock.get((found.lot.code, holder.pk))
    if not balance:
        raise ReetraceError(
            ErrorCode.LOT_NOT_HELD,
            f"{holder.identifier} does not hold lot {found.lot.code}",
            field=field_name,
        )
    if kg > balance:
        raise ReetraceError(
            ErrorCode.INSUFFICIENT_BALANCE,
            f"lot {found.lot.code}: {kg} kg requested but {holder.identifier} holds "
            f"only {balance} kg",
            field=f"{field_name}.mass" if field_name.startswith("inputs") else "mass",
        )
    return found


def lot_new(
    state: BatchState, plan: Plan, spec: LotIn, producer: Enterprise, where: str
) -> LotState:
    """A lot the event makes: a free code, a catalogued product, the producer's site."""
    code = lot_code_validate(spec.code, field=f"{where}.code") if spec.code else lot_code_new()
    if code in state.lots:
        raise ReetraceError(
            ErrorCode.LOT_CODE_TAKEN,
            f"lot code {code} is already in use",
            field=f"{where}.code",
        )
    product = state.products.get(spec.product)
    if product is None:
        raise ReetraceError(
            ErrorCode.UNKNOWN_PRODUCT,
            f"product {spec.product!r} is not in the catalogue",
            field=f"{where}.product",
        )
    site = None
    if spec.site:
        site = state.sites.get(spec.site)
        if site is None or site.enterprise_id != producer.pk:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"site {spec.site!r} is not a site of {producer.identifier}",
                field=f"{where}.site",
            )
    kg = positive_mass(spec.mass, f"{where}.mass")
    declared = rules.composition_parse(spec.composition, field=f"{where}.composition")
    rules.ceiling_check(
        declared, rules.compound_of(product.form, product.code), field=f"{where}.composition"
    )
    composition, others = rules.rare_earths_split(declared)
    lot = Lot(
        code=code,
        product=product,
        producer=producer,
        site=site,
        mass_kg=kg,
        created_by=plan.event,
        external_ref=spec.external_ref,
    )
    plan.add(lot)
    for element, fraction in composition.items():
        plan.elements.append((lot, element, fraction))
    for element, fraction in sorted(others.items()):
        plan.add(LotConstituent(lot=lot, element=element, fraction=fraction))
    made = state.lots[code] = LotState(lot, composition)
    plan.lot_codes.append(code)
    return made


def post(
    state: BatchState,
    plan: Plan,
    lot: LotState,
    holder: Enterprise,
    bucket: str,
    flow: str,
    kg: Decimal,
    shipment: ShipmentState | None = None,
    period: date | None = None,
) -> None:
    """A posting of `kg` (signed) of a lot to a holder's stock, or to a shipment in transit."""
    if bucket == Bucket.STOCK:
        key = (lot.lot.code, holder.pk)
        state.stock[key] = state.stock.get(key, Decimal(0)) + kg
    elif shipment is not None:
        shipment.remaining += kg
    plan.postings.append(
        PostingSpec(lot, holder, bucket, flow, kg, period or plan.event.period, shipment)
    )
