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
    EXPORT_GUARDS,
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
    LotElement,
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
        self._guards_seed(flat)

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
        # Event keys first: filtering shipments by a join on event ids lets a planner
        # with stale statistics (a bulk load) scan every shipment for each batch.
        keys = list(Event.objects.filter(event_id__in=ids).values_list("pk", flat=True))
        rows = (
            Shipment.objects.filter(event_id__in=keys)
            .select_related("event", "lot__product")
            .defer("event__payload")
        )
        self._remember_shipments(list(rows))

    def _remember_shipments(self, shipments: list[Shipment]) -> None:
        """Transit left, voids and receipts of many shipments in three queries, not 3 each."""
        new = {s.pk: s for s in shipments if s.event.event_id not in self.shipments}
        if not new:
            return
        transit = dict(
            Posting.objects.filter(shipment_id__in=new, bucket=Bucket.TRANSIT)
            .values("shipment_id")
            .annotate(kg=Sum("kg"))
            .values_list("shipment_id", "kg")
        )
        voided = set(
            Correction.objects.filter(
                corrected_id__in=[s.event_id for s in new.values()]
            ).values_list("corrected_id", flat=True)
        )
        received = set(
            Receipt.objects.filter(shipment_id__in=new).values_list("shipment_id", flat=True)
        )
        self._remember_lots([s.lot for s in new.values()])
        for pk, shipment in new.items():
            self.shipments[shipment.event.event_id] = ShipmentState(
                shipment,
                transit.get(pk) or Decimal(0),
                voided=shipment.event_id in voided,
                has_receipts=pk in received,
            )

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
        postings = list(
            Posting.objects.filter(event__in=targets).select_related(
                "lot__product", "holder", "event", "shipment__event", "shipment__lot__product"
            )
        )
        self._remember_lots([p.lot for p in postings])
        self._remember_shipments([p.shipment for p in postings if p.shipment_id])
        for posting in postings:
            self._remember_enterprise_light(posting.holder)
            ship = self.shipments[posting.shipment.event.event_id] if posting.shipment_id else None
            self.postings_of.setdefault(posting.event.event_id, []).append(
                PostingSpec(
                    self.lots[posting.lot.code],
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

    def _remember_lots(self, lots: list[Lot]) -> None:
        """Lots with their compositions, read in one query for all that are new."""
        new = {lot.pk: lot for lot in lots if lot.code not in self.lots}
        compositions: dict[int, dict[str, Decimal]] = {pk: {} for pk in new}
        rows = LotElement.objects.filter(lot_id__in=new).values_list(
            "lot_id", "element", "fraction"
        )
        for lot_id, element, fraction in rows:
            compositions[lot_id][element] = fraction
        for pk, lot in new.items():
            self.lots[lot.code] = LotState(lot, compositions[pk])

    def _prefetch_lots(self, items: list[Any]) -> None:
        codes = set()
        for item in items:
            codes |= {code_clean(c) for c in lot_refs(item)}
            codes |= {code_clean(lot.code) for lot in output_lots([item]) if lot.code}
        codes -= set(self.lots)
        # With its product: an export guard reads the lot's form.
        lots = Lot.objects.filter(code__in=codes).select_related("product")
        lots = lots.prefetch_related("elements")
        for lot in lots:
            self.lots[lot.code] = LotState(lot, {e.element: e.fraction for e in lot.elements.all()})
        existing = [state.lot.pk for state in self.lots.values() if state.lot.pk]
        if connection.features.has_select_for_update and existing:
            list(
                Lot.objects.select_for_update().filter(pk__in=existing).order_by("pk").values("pk")
            )
        codes = {state.lot.pk: code for code, state in self.lots.items() if state.lot.pk}
        balances = (
            Posting.objects.filter(lot_id__in=existing, bucket=Bucket.STOCK)
            .values("lot_id", "holder_id")
            .annotate(kg=Sum("kg"))
        )
        for row in balances:
            self.stock[(codes[row["lot_id"]], row["holder_id"])] = row["kg"]

    def _guards_seed(self, items: list[Any]) -> None:
        """Each export guard's batch state starts with the licence numbers the batch
        cites (`cited`), so a guard can read them all in one go."""
        cited = {i.licence for i in items if i.kind == "export" and i.licence}
        for guard in EXPORT_GUARDS:
            self.guard_state[guard] = {"cited": set(cited)}

    def _prefetch_closed_months(self) -> None:
        from reetrace.reporting.models import MonthlyReport

        ids = [e.pk for e in self.enterprises.values()]
        self.closed = set(
            MonthlyReport.objects.filter(enterprise_id__in=ids).values_list(
                "enterprise_id", "period"
            )
        )
