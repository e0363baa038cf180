"""The rules of each event kind, applied to the batch's working state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.ledger import rules
from reetrace.ledger.capture.content import (
    positive_mass,
)
from reetrace.ledger.capture.state import (
    EXPORT_GUARDS,
    ExportCheck,
    LotState,
    Plan,
    PostingSpec,
    ShipmentState,
)
from reetrace.ledger.choices import (
    REPLACEABLE_KINDS,
    Bucket,
    CorrectionAction,
    EventKind,
    Flow,
    Process,
)
from reetrace.ledger.codes import lot_code_new, lot_code_validate
from reetrace.ledger.models import (
    Adjustment,
    Correction,
    ExportDeclaration,
    Lot,
    Origin,
    Receipt,
    Shipment,
    Transformation,
)
from reetrace.ledger.schemas import LotIn
from reetrace.registry.choices import QuotaKind
from reetrace.registry.identifiers import country_validate
from reetrace.registry.models import Enterprise, Quota


class KindRules:
    """One `_apply_<kind>` per event kind, plus the checks they share."""

    def _apply_mine(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        quota = self._quota(item.quota, reporter, QuotaKind.MINING, item.event_time.year)
        lot = self._new_lot(plan, item.lot, reporter, "lot")
        plan.add(Origin(event=plan.event, lot=lot.lot, quota=quota))
        self._post(plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)

    def _apply_import(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        country = country_validate(item.origin_country, field="origin_country")
        lot = self._new_lot(plan, item.lot, reporter, "lot")
        plan.add(
            Origin(
                event=plan.event,
                lot=lot.lot,
                origin_country=country,
                customs_declaration=item.customs_declaration,
            )
        )
        self._post(plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)

    def _apply_recycle(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        lot = self._new_lot(plan, item.lot, reporter, "lot")
        plan.add(Origin(event=plan.event, lot=lot.lot, source=item.source))
        self._post(plan, lot, reporter, Bucket.STOCK, Flow.ORIGIN, lot.lot.mass_kg)

    def _apply_transform(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        quota = None
        if item.process == Process.SEPARATION:
            if not item.quota:
                raise ReetraceError(
                    ErrorCode.UNKNOWN_QUOTA,
                    "a separation must cite the separation quota it uses",
                    field="quota",
                )
            quota = self._quota(item.quota, reporter, QuotaKind.SEPARATION, item.event_time.year)
        inputs: list[tuple[LotState, Decimal]] = []
        for n, line in enumerate(item.inputs):
            kg = positive_mass(line.mass, f"inputs.{n}.mass")
            state = self._held_lot(line.lot, reporter, kg, f"inputs.{n}")
            inputs.append((state, kg))
            self._post(plan, state, reporter, Bucket.STOCK, Flow.CONSUMED, -kg)
        outputs = [
            self._new_lot(plan, out, reporter, f"outputs.{n}") for n, out in enumerate(item.outputs)
        ]
        in_portions = [rules.Portion(kg, s.composition) for s, kg in inputs]
        out_portions = [rules.Portion(s.lot.mass_kg, s.composition) for s in outputs]
        rules.conservation_check(in_portions, out_portions)
        plan.add(Transformation(event=plan.event, process=item.process, quota=quota))
        links = rules.attribution_links(in_portions, out_portions)
        for out_state, per_input in zip(outputs, links, strict=True):
            self._post(
                plan, out_state, reporter, Bucket.STOCK, Flow.PRODUCED, out_state.lot.mass_kg
            )
            for (in_state, _), (kg, reo) in zip(inputs, per_input, strict=True):
                plan.links.append(
                    (in_state.lot, out_state.lot, kg, {el: str(v) for el, v in reo.items()})
                )

    def _apply_ship(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        kg = positive_mass(item.mass, "mass")
        buyer = self.enterprises.get(item.buyer)
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
        state = self._held_lot(item.lot, reporter, kg, "lot")
        shipment = Shipment(
            event=plan.event,
            seller=reporter,
            buyer=buyer,
            lot=state.lot,
            kg=kg,
            unit_price=item.unit_price,
            currency=item.currency,
            contract=item.contract,
        )
        plan.add(shipment)
        ship_state = ShipmentState(shipment, Decimal(0))
        self.shipments[item.event_id] = ship_state
        self._post(plan, state, reporter, Bucket.STOCK, Flow.SHIPPED, -kg)
        self._post(plan, state, buyer, Bucket.TRANSIT, Flow.IN_TRANSIT, kg, ship_state)

    def _apply_receive(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        kg = positive_mass(item.mass, "mass")
        ship_state = self.shipments.get(item.shipment)
        if ship_state is None or ship_state.voided:
            raise ReetraceError(
                ErrorCode.UNKNOWN_SHIPMENT,
                f"shipment {item.shipment!r} does not exist" + (" (voided)" if ship_state else ""),
                field="shipment",
            )
        shipment = ship_state.shipment
        if shipment.buyer_id != reporter.pk:
            raise ReetraceError(
                ErrorCode.REPORTER_NOT_ALLOWED,
                f"shipment {item.shipment} is addressed to another buyer",
                field="shipment",
            )
        if kg > ship_state.remaining:
            raise ReetraceError(
                ErrorCode.RECEIPT_EXCEEDS_TRANSIT,
                f"{kg} kg received but only {ship_state.remaining} kg of shipment "
                f"{item.shipment} is in transit",
                field="mass",
            )
        plan.add(Receipt(event=plan.event, shipment=shipment, kg=kg))
        ship_state.has_receipts = True
        state = self.lots[shipment.lot.code]
        self._post(plan, state, reporter, Bucket.TRANSIT, Flow.IN_TRANSIT, -kg, ship_state)
        self._post(plan, state, reporter, Bucket.STOCK, Flow.RECEIVED, kg)

    def _apply_export(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        kg = positive_mass(item.mass, "mass")
        destination = country_validate(item.destination, field="destination")
        if destination == "CN":
            raise ReetraceError(
                ErrorCode.COUNTRY_INVALID,
                "an export's destination cannot be CN",
                field="destination",
            )
        state = self._held_lot(item.lot, reporter, kg, "lot")
        check = ExportCheck(
            plan.event,
            reporter,
            state.lot,
            state.composition,
            kg,
            destination,
            item.consignee,
            item.end_user,
            item.licence,
            item.hs_code,
        )
        for guard in EXPORT_GUARDS:
            plan.extra_rows.extend(guard(check, self.guard_state.setdefault(guard, {})))
        plan.add(
            ExportDeclaration(
                event=plan.event,
                exporter=reporter,
                lot=state.lot,
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
        self._post(plan, state, reporter, Bucket.STOCK, Flow.EXPORTED, -kg)

    def _apply_adjust(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        kg = parse_mass(item.mass, field="mass")
        if kg == 0:
            raise ReetraceError(
                ErrorCode.QUANTITY_NOT_POSITIVE,
                "an adjustment of 0 kg changes nothing",
                field="mass",
            )
        state = self._lot(item.lot, "lot")
        if (state.lot.code, reporter.pk) not in self.stock:
            raise ReetraceError(
                ErrorCode.LOT_NOT_HELD,
                f"{reporter.identifier} has never held lot {state.lot.code}",
                field="lot",
            )
        if kg < 0:
            self._held_lot(item.lot, reporter, -kg, "lot")
        plan.add(
            Adjustment(event=plan.event, lot=state.lot, kg=kg, reason=item.reason, note=item.note)
        )
        self._post(plan, state, reporter, Bucket.STOCK, Flow.ADJUSTED, kg)

    def _apply_correct(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        original = self.events.get(item.corrects)
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
        if item.corrects in self.voided:
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
        ship_state = self.shipments.get(item.corrects)
        if ship_state is not None and ship_state.has_receipts:
            raise ReetraceError(
                ErrorCode.EVENT_NOT_CORRECTABLE,
                f"shipment {item.corrects} has receipts; correct the receipts first",
                field="corrects",
            )
        self._reverse(plan, item.corrects)
        self.voided.add(item.corrects)
        if (reporter.pk, original.period) in self.closed:
            plan.event.is_late = True
        if ship_state is not None:
            ship_state.voided = True
        plan.add(
            Correction(event=plan.event, corrected=original, action=item.action, reason=item.reason)
        )
        if item.action == CorrectionAction.REPLACE:
            replacement = self.replacements.get(item.event_id) or self._parse_replacement(
                item, original
            )
            getattr(self, f"_apply_{original.kind}")(plan, replacement, reporter)

    def _reverse(self, plan: Plan, event_id: str) -> None:
        for spec in self.postings_of.get(event_id, []):
            if spec.bucket == Bucket.STOCK:
                balance = self.stock.get((spec.lot.lot.code, spec.holder.pk), Decimal(0))
                if balance - spec.kg < 0:
                    raise ReetraceError(
                        ErrorCode.INSUFFICIENT_BALANCE,
                        f"voiding {event_id} would leave lot {spec.lot.lot.code} at "
                        f"{balance - spec.kg} kg for {spec.holder.identifier}; "
                        "correct the later events first",
                        field="corrects",
                    )
            self._post(
                plan,
                spec.lot,
                spec.holder,
                spec.bucket,
                spec.flow,
                -spec.kg,
                spec.shipment,
                period=spec.period,
            )

    # -- shared checks -----------------------------------------------------
    def _quota(self, code: str, reporter: Enterprise, kind: str, year: int) -> Quota:
        quota = self.quotas.get(code)
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

    def _lot(self, raw: str, field_name: str) -> LotState:
        code = lot_code_validate(raw, field=field_name)
        state = self.lots.get(code)
        if state is None:
            raise ReetraceError(
                ErrorCode.UNKNOWN_LOT, f"lot {code} does not exist", field=field_name
            )
        return state

    def _held_lot(self, raw: str, holder: Enterprise, kg: Decimal, field_name: str) -> LotState:
        state = self._lot(raw, field_name)
        balance = self.stock.get((state.lot.code, holder.pk))
        if not balance:
            raise ReetraceError(
                ErrorCode.LOT_NOT_HELD,
                f"{holder.identifier} does not hold lot {state.lot.code}",
                field=field_name,
            )
        if kg > balance:
            raise ReetraceError(
                ErrorCode.INSUFFICIENT_BALANCE,
                f"lot {state.lot.code}: {kg} kg requested but {holder.identifier} holds "
                f"only {balance} kg",
                field=f"{field_name}.mass" if field_name.startswith("inputs") else "mass",
            )
        return state

    def _new_lot(self, plan: Plan, spec: LotIn, producer: Enterprise, where: str) -> LotState:
        code = lot_code_validate(spec.code, field=f"{where}.code") if spec.code else lot_code_new()
        if code in self.lots:
            raise ReetraceError(
                ErrorCode.LOT_CODE_TAKEN,
                f"lot code {code} is already in use",
                field=f"{where}.code",
            )
        product = self.products.get(spec.product)
        if product is None:
            raise ReetraceError(
                ErrorCode.UNKNOWN_PRODUCT,
                f"product {spec.product!r} is not in the catalogue",
                field=f"{where}.product",
            )
        site = None
        if spec.site:
            site = self.sites.get(spec.site)
            if site is None or site.enterprise_id != producer.pk:
                raise ReetraceError(
                    ErrorCode.INVALID,
                    f"site {spec.site!r} is not a site of {producer.identifier}",
                    field=f"{where}.site",
                )
        kg = positive_mass(spec.mass, f"{where}.mass")
        composition = rules.composition_parse(spec.composition, field=f"{where}.composition")
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
        state = LotState(lot, composition)
        self.lots[code] = state
        plan.lot_codes.append(code)
        return state

    def _post(
        self,
        plan: Plan,
        lot: LotState,
        holder: Enterprise,
        bucket: str,
        flow: str,
        kg: Decimal,
        shipment: ShipmentState | None = None,
        period: Any = None,
    ) -> None:
        if bucket == Bucket.STOCK:
            key = (lot.lot.code, holder.pk)
            self.stock[key] = self.stock.get(key, Decimal(0)) + kg
        elif shipment is not None:
            shipment.remaining += kg
        plan.postings.append(
            PostingSpec(lot, holder, bucket, flow, kg, period or plan.event.period, shipment)
        )
