"""Reading, in a few queries, everything a batch refers to (and locking its lots)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from pydantic import ValidationError

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.capture.content import (
    EVENT_ADAPTER,
    code_clean,
    error_from_validation,
    lot_refs,
    output_lots,
)
from reetrace.ledger.capture.state import (
    LotState,
    PostingSpec,
    ShipmentState,
)
from reetrace.ledger.choices import (
    Bucket,
)
from reetrace.ledger.models import (
    Correction,
    Event,
    Lot,
    Posting,
    Receipt,
    Shipment,
)
from reetrace.registry.models import Enterprise, Product, Quota, Site


class Prefetch:
    """Fills the session's working state from the ledger before any rule runs."""

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
        site_codes = {lot.site for lot in output_lots(flat) if lot.site}
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
            return EVENT_ADAPTER.validate_python(body)
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
            codes |= {code_clean(c) for c in lot_refs(item)}
            codes |= {code_clean(lot.code) for lot in output_lots([item]) if lot.code}
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
