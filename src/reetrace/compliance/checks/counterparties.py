"""Counterparties: domestic shipments are double entries, the buyer confirms them.

A shipment the buyer never confirms, or confirms with less, means material went
somewhere the ledger does not show (or a fictitious sale). The alert names the
buyer (whose books are missing the material) and shows the seller as evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.ledger.models import Shipment


def _due_shipments(window: Window, days: int):
    """Live shipments known at `as_of`, `days` old, with the kg received by `as_of`."""
    received = Sum(
        "receipts__kg",
        filter=Q(
            receipts__event__corrected_by__isnull=True,
        ),
    )
    return (
        Shipment.objects.filter(
            event__corrected_by__isnull=True,
            event__event_time__lte=window.as_of - timedelta(days=days),
            **window.period_filter("event__period"),
        )
        .select_related("event", "lot", "seller", "buyer")
        .annotate(received=received)
        .order_by("event__event_time", "pk")
    )


def _figures(shipment: Shipment, received: Decimal, **extra) -> dict:
    return {
        "expected": str(shipment.kg),
        "observed": str(received),
        "unit": "kg",
        "seller": shipment.seller.identifier,
        "buyer": shipment.buyer.identifier,
        **extra,
    }


class ShipmentUnconfirmed(Check):
    """A domestic shipment with no receipt `days` after it left.

    Parameters: `days` (counted from the shipment to `--as-of`), `severity`.
    """

    name = "shipment_unconfirmed"
    title = "shipment never confirmed by the buyer"

    def findings(self, window: Window) -> Iterator[Finding]:
        for shipment in _due_shipments(window, self.params["days"]):
            if shipment.received is None:
                yield self._finding(shipment)

    def _finding(self, shipment: Shipment) -> Finding:
        event = shipment.event
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=shipment.buyer_id,
            period=event.period,
            explanation=(
                f"{shipment.seller.identifier} shipped {shipment.kg} kg of lot "
                f"{shipment.lot.code} to {shipment.buyer.identifier} on "
                f"{event.event_time:%Y-%m-%d} ({event.event_id}); the buyer has not confirmed "
                f"any receipt after {self.params['days']} days."
            ),
            figures=_figures(shipment, Decimal(0), tolerance=f"{self.params['days']} days"),
            lots=[shipment.lot.code],
            events=[event.event_id],
        )


class ShortReceipt(Check):
    """A shipment confirmed with less than was shipped, beyond the weighing tolerance.

    Parameters: `days` (receipts are final after this), `tolerance_share`, `min_kg`,
    `severity`.
    """

    name = "short_receipt"
    title = "shipment received with less"

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        for shipment in _due_shipments(window, p["days"]):
            if shipment.received is None:
                continue
            missing = rules.shortfall(
                float(shipment.kg),
                float(shipment.received),
                tolerance_share=p["tolerance_share"],
                min_kg=p["min_kg"],
            )
            if missing > 0:
                yield self._finding(shipment)

    def _finding(self, shipment: Shipment) -> Finding:
        event = shipment.event
        missing = shipment.kg - shipment.received
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=shipment.buyer_id,
            period=event.period,
            explanation=(
                f"{shipment.buyer.identifier} confirmed {shipment.received} kg of the "
                f"{shipment.kg} kg that {shipment.seller.identifier} shipped in "
                f"{event.event_id} (lot {shipment.lot.code}): {missing} kg are not on "
                "anyone's books."
            ),
            figures=_figures(
                shipment,
                shipment.received,
                tolerance=self.params["tolerance_share"],
                missing_kg=str(missing),
            ),
            lots=[shipment.lot.code],
            events=[event.event_id],
        )
