"""Exports: controlled goods must go where their licence says, and a refusal must stick.

The ledger's export guard already refuses an export without a valid licence, beyond
its quantity, after its expiry or to another destination, consignee or end user
than licensed, *as declared*. What it cannot see is a declaration that matches the
licence while the goods go elsewhere (`licence_mismatch`): China Customs records the
country of arrival (运抵国) from the bill of lading's port of discharge, so a
declared destination that differs from it shows the diversion. Nor can it see a
refused applicant handing the goods to a trader who exports them soon after
(`transshipment`): that needs the refusal, the domestic shipment and the trader's
export put side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.models import CustomsDeclaration
from reetrace.compliance.services.customs import declaration_number
from reetrace.exportcontrol.choices import ApplicationState
from reetrace.exportcontrol.models import Application
from reetrace.ledger.models import ExportDeclaration, Receipt, Shipment
from reetrace.registry.choices import EnterpriseRole
from reetrace.registry.models import EnterpriseRoleGrant


def _name(value: str) -> str:
    return " ".join((value or "").upper().split())


def _exports(window: Window, **filters):
    return (
        ExportDeclaration.objects.filter(
            event__corrected_by__isnull=True, **window.period_filter("event__period"), **filters
        )
        .select_related("event", "lot", "exporter")
        .order_by("event__event_time", "pk")
    )


class LicenceMismatch(Check):
    """A (licensed) export whose customs record shows another country of arrival or
    another consignee than the declaration, which matches its licence.

    Parameters: `licensed_only` (judge only exports citing a licence),
    `check_consignee` (also compare the consignee customs recorded), `severity`.
    Exports without a customs record are not judged here (no customs data loaded).
    """

    name = "licence_mismatch"
    title = "licensed export arrived elsewhere"

    def findings(self, window: Window) -> Iterator[Finding]:
        exports = _exports(window)
        if self.params["licensed_only"]:
            exports = exports.exclude(licence_number="")
        exports = list(exports)
        numbers = sorted({declaration_number(e.customs_declaration) for e in exports})
        records: dict[str, CustomsDeclaration] = {}
        for start in range(0, len(numbers), 500):
            for record in CustomsDeclaration.objects.filter(
                number__in=numbers[start : start + 500], flow=CustomsDeclaration.Flow.EXPORT
            ):
                records[record.number] = record
        for export in exports:
            record = records.get(declaration_number(export.customs_declaration))
            if record is None:
                continue
            problems = []
            if record.arrival_country and record.arrival_country != export.destination:
                problems.append(
                    f"customs recorded arrival in {record.arrival_country}, the declaration "
                    f"and licence say {export.destination}"
                )
            if (
                self.params["check_consignee"]
                and record.consignee
                and _name(record.consignee) != _name(export.consignee)
            ):
                problems.append(
                    f"customs recorded consignee {record.consignee!r}, the declaration "
                    f"says {export.consignee!r}"
                )
            if problems:
                yield self._finding(export, record, problems)

    def _finding(self, export: ExportDeclaration, record, problems: list[str]) -> Finding:
        event = export.event
        return self.event_finding(
            event,
            enterprise_id=export.exporter_id,
            explanation=(
                f"export {event.event_id} of lot {export.lot.code} ({export.kg} kg) under "
                f"licence {export.licence_number or '(none)'} to {export.consignee} in "
                f"{export.destination}: " + "; ".join(problems) + ". The goods went to "
                "someone the licence does not cover."
            ),
            figures={
                "expected": export.destination,
                "observed": record.arrival_country or export.destination,
                "tolerance": None,
                "unit": "country",
                "licence": export.licence_number,
                "customs_declaration": record.number,
                "declared_consignee": export.consignee,
                "customs_consignee": record.consignee,
                "kg": str(export.kg),
            },
            lots=[export.lot.code],
            events=[event.event_id],
        )


class Transshipment(Check):
    """Goods a refused applicant ships to a trader, who exports them soon after.

    Parameters: `ship_within_days` (from the refusal to the domestic shipment to a
    trader), `export_within_days` (from that shipment to the trader's export),
    `kg_tolerance_share` (when the application names no lot: same product and kg
    within this share), `severity`. The alert is the trader's, in the month of its
    export; the refused application and the original exporter are evidence.
    """

    name = "transshipment"
    title = "export via a trader after a refusal"

    def findings(self, window: Window) -> Iterator[Finding]:
        traders = set(
            EnterpriseRoleGrant.objects.filter(role=EnterpriseRole.TRADER).values_list(
                "enterprise_id", flat=True
            )
        )
        refusals = (
            Application.objects.filter(state=ApplicationState.REJECTED, decided_at__isnull=False)
            .select_related("applicant")
            .prefetch_related("items")
            .order_by("decided_at", "pk")
        )
        seen: set[str] = set()
        for application in refusals:
            for shipment in self._shipments(application, traders):
                for export in self._exports(window, shipment):
                    if export.event.event_id in seen:
                        continue
                    seen.add(export.event.event_id)
                    yield self._finding(application, shipment, export)

    def _shipments(self, application: Application, traders: set[int]) -> list[Shipment]:
        p = self.params
        start = application.decided_at
        candidates = Shipment.objects.filter(
            seller_id=application.applicant_id,
            buyer_id__in=traders,
            event__corrected_by__isnull=True,
            event__event_time__gte=start,
            event__event_time__lte=start + timedelta(days=p["ship_within_days"]),
        ).select_related("event", "lot", "lot__product", "buyer")
        items = list(application.items.all())
        tolerance = Decimal(str(p["kg_tolerance_share"]))
        found = []
        for shipment in candidates.order_by("event__event_time", "pk"):
            for item in items:
                if item.lot_id is not None:
                    same = item.lot_id == shipment.lot_id
                else:
                    same = (
                        shipment.lot.product.code == item.product_code
                        and abs(shipment.kg - item.kg) <= item.kg * tolerance
                    )
                if same:
                    found.append(shipment)
                    break
        return found

    def _exports(self, window: Window, shipment: Shipment) -> list[ExportDeclaration]:
        sent = shipment.event.event_time
        return list(
            _exports(
                window,
                exporter_id=shipment.buyer_id,
                lot_id=shipment.lot_id,
                event__event_time__gte=sent,
                event__event_time__lte=sent + timedelta(days=self.params["export_within_days"]),
            )
        )

    def _finding(self, application, shipment: Shipment, export: ExportDeclaration) -> Finding:
        event = export.event
        receipts = list(
            Receipt.objects.filter(shipment=shipment, event__corrected_by__isnull=True)
            .order_by("event__event_time")
            .values_list("event__event_id", flat=True)
        )
        days = (event.event_time - application.decided_at).days
        third = export.destination != application.destination
        return self.event_finding(
            event,
            enterprise_id=export.exporter_id,
            explanation=(
                f"{application.applicant.identifier}'s application {application.number} to "
                f"export to {application.end_user_name} ({application.destination}) was "
                f"refused on {application.decided_at:%Y-%m-%d}; it then shipped lot "
                f"{export.lot.code} to trader {export.exporter.identifier} "
                f"({shipment.event.event_id}), which exported it to {export.consignee} in "
                f"{export.destination} ({event.event_id}) {days} day(s) after the refusal"
                + (", a third country." if third else ", the refused destination.")
            ),
            figures={
                "expected": "no export of refused goods",
                "observed": export.destination,
                "tolerance": {
                    "ship_within_days": self.params["ship_within_days"],
                    "export_within_days": self.params["export_within_days"],
                },
                "unit": "days",
                "days_after_refusal": days,
                "refused_application": application.number,
                "original_exporter": application.applicant.identifier,
                "refused_destination": application.destination,
                "licence": export.licence_number,
                "kg": str(export.kg),
            },
            lots=[export.lot.code],
            events=[shipment.event.event_id, *receipts, event.event_id],
        )
