"""Capture of chain-of-custody events: every rule, then one atomic write.

A batch is validated item by item against a working copy of the ledger state
(balances, transit, lots and shipments made earlier in the same batch), so a
batch may create a lot and ship it in the next item. Nothing is written unless
every item passes; then all rows go in with bulk inserts inside one
transaction. On PostgreSQL the lots a batch touches are locked first, in
primary-key order, so two concurrent batches cannot both spend the same stock.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.ledger import rules
from reetrace.ledger.bulkwrite import rows_insert
from reetrace.ledger.chain import chain_extend
from reetrace.ledger.choices import (
    LOT_CREATING_KINDS,
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
    Event,
    ExportDeclaration,
    Lot,
    LotElement,
    LotLink,
    Origin,
    Posting,
    Receipt,
    Shipment,
    Transformation,
)
from reetrace.ledger.schemas import EventIn, LotIn
from reetrace.registry.choices import EnterpriseStatus, QuotaKind
from reetrace.registry.identifiers import country_validate
from reetrace.registry.models import Enterprise, Product, Quota, Site

__all__ = [
    "EXPORT_GUARDS",
    "REJECTION_LISTENERS",
    "CaptureResult",
    "CapturedEvent",
    "ExportCheck",
    "batch_capture",
    "error_from_validation",
]

_EVENT_ADAPTER: TypeAdapter = TypeAdapter(EventIn)
# Insert order respects foreign keys between the rows of one batch.
_WRITE_ORDER: list[type[models.Model]] = [
    Lot,
    LotElement,
    Origin,
    Transformation,
    Shipment,
    Receipt,
    ExportDeclaration,
    Adjustment,
    Correction,
    Posting,
    LotLink,
]


@dataclass
class ExportCheck:
    """What an export guard sees of an export being captured."""

    event: Event
    reporter: Enterprise
    lot: Lot
    composition: dict[str, Decimal]
    kg: Decimal
    destination: str
    consignee: str
    end_user: str
    licence: str
    hs_code: str


ExportGuard = Callable[[ExportCheck, dict], list[models.Model]]
RejectionListener = Callable[[User, list[Any], list[FieldError]], None]

# Other apps plug their rules in here from AppConfig.ready(), so the ledger does
# not import them: an export guard raises ReetraceError to refuse an export or
# returns rows to write with it (e.g. a licence drawdown); its dict argument is
# its own working state for the batch. Rejection listeners run after a batch
# was refused and rolled back (e.g. to keep refused export attempts on record).
EXPORT_GUARDS: list[ExportGuard] = []
REJECTION_LISTENERS: list[RejectionListener] = []


@dataclass
class CapturedEvent:
    event: Event
    created: bool
    lot_codes: list[str]


@dataclass
class CaptureResult:
    items: list[CapturedEvent]

    @property
    def created(self) -> int:
        return sum(1 for i in self.items if i.created)

    @property
    def replayed(self) -> int:
        return sum(1 for i in self.items if not i.created)


@dataclass
class LotState:
    lot: Lot
    composition: dict[str, Decimal]


@dataclass
class ShipmentState:
    shipment: Shipment
    remaining: Decimal
    voided: bool = False
    has_receipts: bool = False


@dataclass
class PostingSpec:
    lot: LotState
    holder: Enterprise
    bucket: str
    flow: str
    kg: Decimal
    period: Any
    shipment: ShipmentState | None = None


@dataclass
class Plan:
    event: Event
    rows: dict[type[models.Model], list[models.Model]] = field(
        default_factory=lambda: defaultdict(list)
    )
    postings: list[PostingSpec] = field(default_factory=list)
    lot_codes: list[str] = field(default_factory=list)
    extra_rows: list[models.Model] = field(default_factory=list)

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)


def error_from_validation(exc: ValidationError, index: int | None) -> list[FieldError]:
    """Pydantic's errors as FieldErrors, naming the field by its dotted path."""
    found = []
    for err in exc.errors():
        path = [str(p) for p in err["loc"] if p not in EventKind.values]
        found.append(
            FieldError(ErrorCode.INVALID, f"{'.'.join(path)}: {err['msg']}", ".".join(path), index)
        )
    return found


def batch_capture(*, actor: User, items: list[Any], now: datetime | None = None) -> CaptureResult:
    """Capture a batch all-or-nothing; resent events are returned, not written again."""
    parsed: list[Any] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            try:
                item = _EVENT_ADAPTER.validate_python(item)
            except ValidationError as exc:
                errors.extend(error_from_validation(exc, index))
                continue
        parsed.append((index, item))
    if errors:
        raise BatchRejected(errors)
    try:
        with transaction.atomic():
            session = CaptureSession(actor, now or timezone.now())
            return session.run(parsed)
    except BatchRejected as rejected:
        for listener in REJECTION_LISTENERS:
            listener(actor, [item for _, item in parsed], rejected.errors)
        raise


class CaptureSession:
    """The working state of one batch: what the ledger holds plus what the batch did."""

    def __init__(self, actor: User, now: datetime):
        self.actor = actor
        self.now = now
        self.enterprises: dict[str, Enterprise] = {}
        self.roles: dict[int, frozenset[str]] = {}
        self.products: dict[str, Product] = {}
        self.quotas: dict[str, Quota] = {}
        self.sites: dict[str, Site] = {}
        self.lots: dict[str, LotState] = {}
        self.stock: dict[tuple[str, int], Decimal] = {}
        self.shipments: dict[str, ShipmentState] = {}
        self.events: dict[str, Event] = {}
        self.voided: set[str] = set()
        self.postings_of: dict[str, list[PostingSpec]] = {}
        self.closed: set[tuple[int, Any]] = set()
        self.batch_ids: dict[str, str] = {}
        self.replacements: dict[str, Any] = {}
        self.guard_state: dict[Any, dict] = {}

    # -- the run ---------------------------------------------------------
    def run(self, parsed: list[tuple[int, Any]]) -> CaptureResult:
        self._prefetch([item for _, item in parsed])
        plans: list[Plan] = []
        results: list[CapturedEvent] = []
        errors: list[FieldError] = []
        for index, item in parsed:
            try:
                canonical = self._canonical(item)
                digest = _digest(canonical)
                existing = self.events.get(item.event_id)
                if existing is not None:
                    replay = self._replay(item.event_id, existing, digest)
                    codes = list(replay.lots_created.values_list("code", flat=True))
                    results.append(CapturedEvent(replay, False, codes))
                    continue
                plan = self._apply(item, canonical, digest)
            except ReetraceError as exc:
                error = exc.as_field_error(index)
                error.record = error.record or item.event_id
                errors.append(error)
                continue
            self.events[item.event_id] = plan.event
            self.batch_ids[item.event_id] = digest
            plans.append(plan)
            results.append(CapturedEvent(plan.event, True, plan.lot_codes))
        if errors:
            raise BatchRejected(errors)
        try:
            with transaction.atomic():
                self._write(plans)
        except IntegrityError as exc:
            # Only a concurrent batch that wrote the same event id or lot code gets here.
            raise BatchRejected(
                [
                    FieldError(
                        ErrorCode.DUPLICATE_EVENT_CONFLICT,
                        "a concurrent request wrote the same event id or lot code; "
                        "resend the batch to see which",
                        None,
                        None,
                    )
                ]
            ) from exc
        return CaptureResult(results)

    def _replay(self, event_id: str, existing: Event, digest: str) -> Event:
        stored = self.batch_ids.get(event_id) or existing.content_hash
        if stored != digest:
            raise ReetraceError(
                ErrorCode.DUPLICATE_EVENT_CONFLICT,
                f"event id {event_id!r} was already used for different content",
                field="event_id",
                status=409,
            )
        if event_id in self.batch_ids:
            raise ReetraceError(
                ErrorCode.DUPLICATE_EVENT_CONFLICT,
                f"event id {event_id!r} appears twice in this batch",
                field="event_id",
                status=409,
            )
        return existing

    # -- prefetch --------------------------------------------------------
    def _prefetch(self, items: list[Any]) -> None:
        ids = {i.event_id for i in items} | {i.corrects for i in items if i.kind == "correct"}
        for event in Event.objects.filter(event_id__in=ids).select_related("reporter"):
            self.events[event.event_id] = event
        replaced = self._replacements(items)
        flat = items + replaced
        identifiers = {i.reporter for i in flat if i.reporter} | {
            i.buyer for i in flat if i.kind == "ship"
        }
        enterprises = Enterprise.objects.filter(identifier__in=identifiers).prefetch_related(
            "roles"
        )
        for enterprise in enterprises:
            self._remember_enterprise(enterprise)
        if self.actor.enterprise_id:
            self._remember_enterprise(
                Enterprise.objects.prefetch_related("roles").get(pk=self.actor.enterprise_id)
            )
        self.products = {p.code: p for p in Product.objects.all()}
        quota_codes = {i.quota for i in flat if getattr(i, "quota", None)}
        self.quotas = {q.code: q for q in Quota.objects.filter(code__in=quota_codes)}
        site_codes = {lot.site for lot in _output_lots(flat) if lot.site}
        self.sites = {s.code: s for s in Site.objects.filter(code__in=site_codes)}
        self._prefetch_shipments(flat)
        self._prefetch_corrected(items)
        self._prefetch_lots(flat)
        self._prefetch_closed_months()

    def _replacements(self, items: list[Any]) -> list[Any]:
        found = []
        for item in items:
            if item.kind == "correct" and item.replacement is not None:
                original = self.events.get(item.corrects)
                if original is None:
                    continue
                try:
                    self.replacements[item.event_id] = self._parse_replacement(item, original)
                except ReetraceError:
                    continue
                found.append(self.replacements[item.event_id])
        return found

    def _parse_replacement(self, item: Any, original: Event) -> Any:
        body = dict(original.payload) | dict(item.replacement or {})
        body.update(kind=original.kind, event_id=item.event_id, reporter=item.reporter)
        body.setdefault("event_time", item.event_time.isoformat())
        try:
            return _EVENT_ADAPTER.validate_python(body)
        except ValidationError as exc:
            first = error_from_validation(exc, None)[0]
            raise ReetraceError(
                ErrorCode.INVALID,
                f"replacement.{first.message}",
                field=f"replacement.{first.field}",
            ) from exc

    def _remember_enterprise(self, enterprise: Enterprise) -> None:
        self.enterprises[enterprise.identifier] = enterprise
        self.roles[enterprise.pk] = enterprise.role_set()

    def _prefetch_shipments(self, items: list[Any]) -> None:
        ids = {i.shipment for i in items if i.kind == "receive"}
        ids |= {i.corrects for i in items if i.kind == "correct"}
        rows = Shipment.objects.filter(event__event_id__in=ids).select_related(
            "event", "lot", "seller", "buyer"
        )
        for shipment in rows:
            self._remember_shipment(shipment)

    def _remember_shipment(self, shipment: Shipment) -> ShipmentState:
        key = shipment.event.event_id
        if key not in self.shipments:
            transit = Posting.objects.filter(shipment=shipment, bucket=Bucket.TRANSIT).aggregate(
                kg=Sum("kg")
            )["kg"]
            self.shipments[key] = ShipmentState(
                shipment,
                transit or Decimal(0),
                voided=Correction.objects.filter(corrected=shipment.event).exists(),
                has_receipts=Receipt.objects.filter(shipment=shipment).exists(),
            )
            self._remember_lot(shipment.lot)
        return self.shipments[key]

    def _prefetch_corrected(self, items: list[Any]) -> None:
        targets = [
            self.events[i.corrects]
            for i in items
            if i.kind == "correct" and i.corrects in self.events
        ]
        if not targets:
            return
        self.voided |= set(
            Correction.objects.filter(corrected__in=targets).values_list(
                "corrected__event_id", flat=True
            )
        )
        postings = Posting.objects.filter(event__in=targets).select_related(
            "lot", "holder", "event", "shipment__event"
        )
        for posting in postings:
            self._remember_enterprise_light(posting.holder)
            lot_state = self._remember_lot(posting.lot)
            ship = self._remember_shipment(posting.shipment) if posting.shipment_id else None
            self.postings_of.setdefault(posting.event.event_id, []).append(
                PostingSpec(
                    lot_state,
                    posting.holder,
                    posting.bucket,
                    posting.flow,
                    posting.kg,
                    posting.period,
                    ship,
                )
            )

    def _remember_enterprise_light(self, enterprise: Enterprise) -> None:
        self.enterprises.setdefault(enterprise.identifier, enterprise)

    def _remember_lot(self, lot: Lot) -> LotState:
        if lot.code not in self.lots:
            self.lots[lot.code] = LotState(lot, lot.composition())
        return self.lots[lot.code]

    def _prefetch_lots(self, items: list[Any]) -> None:
        codes = set()
        for item in items:
            codes |= {_clean_code(c) for c in _lot_refs(item)}
            codes |= {_clean_code(lot.code) for lot in _output_lots([item]) if lot.code}
        codes -= set(self.lots)
        lots = Lot.objects.filter(code__in=codes).prefetch_related("elements")
        for lot in lots:
            self.lots[lot.code] = LotState(lot, {e.element: e.fraction for e in lot.elements.all()})
        existing = [state.lot.pk for state in self.lots.values() if state.lot.pk]
        if connection.features.has_select_for_update and existing:
            list(
                Lot.objects.select_for_update().filter(pk__in=existing).order_by("pk").values("pk")
            )
        balances = (
            Posting.objects.filter(lot_id__in=existing, bucket=Bucket.STOCK)
            .values("lot__code", "holder_id")
            .annotate(kg=Sum("kg"))
        )
        for row in balances:
            self.stock[(row["lot__code"], row["holder_id"])] = row["kg"]

    def _prefetch_closed_months(self) -> None:
        from reetrace.reporting.models import MonthlyReport

        ids = [e.pk for e in self.enterprises.values()]
        self.closed = set(
            MonthlyReport.objects.filter(enterprise_id__in=ids).values_list(
                "enterprise_id", "period"
            )
        )

    # -- canonical content -------------------------------------------------
    def _canonical(self, item: Any) -> dict:
        reporter = self._reporter(item)
        content = item.model_dump(mode="json", exclude={"recorded_at"})
        content["reporter"] = reporter.identifier
        content["event_time"] = item.event_time.astimezone(rules.CHINA_TIME).isoformat()
        _normalise_masses(content)
        return content

    def _reporter(self, item: Any) -> Enterprise:
        identifier = item.reporter
        if identifier is None:
            if self.actor.enterprise_id is None:
                raise ReetraceError(
                    ErrorCode.INVALID,
                    "reporter is required for users without an enterprise",
                    field="reporter",
                )
            return next(e for e in self.enterprises.values() if e.pk == self.actor.enterprise_id)
        enterprise = self.enterprises.get(identifier)
        if enterprise is None:
            raise ReetraceError(
                ErrorCode.UNKNOWN_ENTERPRISE,
                f"reporter {identifier!r} is not registered",
                field="reporter",
            )
        if self.actor.role != "admin" and enterprise.pk != self.actor.enterprise_id:
            raise ReetraceError(
                ErrorCode.REPORTER_NOT_ALLOWED,
                f"you may report only for your own enterprise, not {identifier}",
                field="reporter",
                status=403,
            )
        return enterprise

    # -- rules per event ---------------------------------------------------
    def _apply(self, item: Any, canonical: dict, digest: str) -> Plan:
        reporter = self.enterprises[canonical["reporter"]]
        if reporter.status != EnterpriseStatus.ACTIVE:
            raise ReetraceError(
                ErrorCode.ENTERPRISE_SUSPENDED,
                f"{reporter.identifier} is suspended",
                field="reporter",
            )
        rules.role_check(
            kind=item.kind,
            process=getattr(item, "process", None),
            roles=self.roles.get(reporter.pk, frozenset()),
            reporter=reporter.identifier,
        )
        if item.event_time > self.now + timedelta(seconds=settings.REETRACE_CLOCK_SKEW_SECONDS):
            raise ReetraceError(
                ErrorCode.FUTURE_EVENT_TIME,
                f"event_time {item.event_time.isoformat()} is in the future",
                field="event_time",
            )
        recorded_at = self.now
        if item.recorded_at is not None:
            if self.actor.role != "admin":
                raise ReetraceError(
                    ErrorCode.FORBIDDEN,
                    "only administrators may set recorded_at",
                    field="recorded_at",
                    status=403,
                )
            recorded_at = item.recorded_at
        period = rules.reporting_month(item.event_time)
        closed = (reporter.pk, period) in self.closed
        if closed and item.kind != EventKind.CORRECT:
            raise ReetraceError(
                ErrorCode.MONTH_CLOSED,
                f"{period:%Y-%m} is closed for {reporter.identifier}; send a correct event",
                field="event_time",
            )
        deadline = rules.report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)
        event = Event(
            event_id=item.event_id,
            kind=item.kind,
            reporter=reporter,
            submitted_by=self.actor,
            event_time=item.event_time,
            utc_offset_minutes=int(item.event_time.utcoffset().total_seconds() // 60),
            period=period,
            recorded_at=recorded_at,
            is_late=closed or recorded_at.astimezone(rules.CHINA_TIME).date() > deadline,
            payload=canonical,
            content_hash=digest,
        )
        plan = Plan(event)
        handler = getattr(self, f"_apply_{item.kind}")
        handler(plan, item, reporter)
        self.postings_of[item.event_id] = plan.postings
        return plan

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
            kg = _positive_mass(line.mass, f"inputs.{n}.mass")
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
                plan.add(
                    LotLink(
                        event=plan.event,
                        parent=in_state.lot,
                        child=out_state.lot,
                        kg=kg,
                        reo_kg={el: str(v) for el, v in reo.items()},
                    )
                )

    def _apply_ship(self, plan: Plan, item: Any, reporter: Enterprise) -> None:
        kg = _positive_mass(item.mass, "mass")
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
        kg = _positive_mass(item.mass, "mass")
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
        kg = _positive_mass(item.mass, "mass")
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
        kg = _positive_mass(spec.mass, f"{where}.mass")
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
            plan.add(LotElement(lot=lot, element=element, fraction=fraction))
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

    # -- write ---------------------------------------------------------------
    def _write(self, plans: list[Plan]) -> None:
        events = [p.event for p in plans]
        chain_extend(events)
        rows_insert(Event, events)
        rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        for plan in plans:
            for model, planned in plan.rows.items():
                rows[model].extend(planned)
            rows[Posting].extend(
                Posting(
                    event=plan.event,
                    lot=s.lot.lot,
                    holder=s.holder,
                    bucket=s.bucket,
                    flow=s.flow,
                    kg=s.kg,
                    period=s.period,
                    shipment=s.shipment.shipment if s.shipment else None,
                )
                for s in plan.postings
            )
        for model in _WRITE_ORDER:
            rows_insert(model, rows[model])
        for plan in plans:
            for row in plan.extra_rows:
                row.save(force_insert=True)


def _positive_mass(raw: Any, field_name: str) -> Decimal:
    kg = parse_mass(raw, field=field_name)
    if kg <= 0:
        raise ReetraceError(
            ErrorCode.QUANTITY_NOT_POSITIVE,
            f"{field_name} must be more than 0 kg",
            field=field_name,
        )
    return kg


def _digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _normalise_masses(content: Any, path: str = "") -> None:
    """Write every mass as exact kg and every fraction as a plain decimal, in place."""
    if isinstance(content, dict):
        for key, value in content.items():
            where = f"{path}{key}"
            if key == "mass" and value is not None:
                content[key] = str(parse_mass(value, field=where))
            elif key == "composition" and isinstance(value, dict):
                parsed = rules.composition_parse(value, field=where)
                content[key] = {el: str(parsed[el]) for el in sorted(parsed)}
            else:
                _normalise_masses(value, f"{where}.")
    elif isinstance(content, list):
        for n, value in enumerate(content):
            _normalise_masses(value, f"{path}{n}.")


def _clean_code(raw: str) -> str:
    return (raw or "").strip().upper().replace("-", "").replace(" ", "")


def _lot_refs(item: Any) -> list[str]:
    if item.kind == "transform":
        return [line.lot for line in item.inputs]
    if item.kind in ("ship", "export", "adjust"):
        return [item.lot]
    return []


def _output_lots(items: list[Any]) -> list[LotIn]:
    found = []
    for item in items:
        if item.kind in LOT_CREATING_KINDS - {EventKind.TRANSFORM}:
            found.append(item.lot)
        elif item.kind == "transform":
            found.extend(item.outputs)
    return found
