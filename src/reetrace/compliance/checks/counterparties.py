"""Counterparties: domestic shipments are double entries, the buyer confirms them.

A shipment the buyer never confirms, or confirms with less, means material went
somewhere the ledger does not show (or a fictitious sale). The alert names the
buyer (whose books are missing the material) and shows the seller as evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.checks.ledger import DATABASE
from reetrace.ledger.models import Shipment


def _due(check: Check, window: Window) -> list[tuple]:
    source = check.source or DATABASE
    return source.due_shipments(window, check.params["days"])


def _shipments(rows: list[tuple]) -> Iterator[Shipment]:
    """The flagged shipments with what their alerts show, in the rows' order."""
    found = Shipment.objects.select_related("event", "lot", "seller", "buyer").in_bulk(
        [pk for pk, _, _ in rows]
    )
    for pk, _, received in rows:
        shipment = found[pk]
        shipment.received = received
        yield shipment


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
        unconfirmed = [row for row in _due(self, window) if row[2] is None]
        for shipment in _shipments(unconfirmed):
            yield self._finding(shipment)

    def _finding(self, shipment: Shipment) -> Finding:
        event = shipment.event
        return self.event_finding(
            event,
            enterprise_id=shipment.buyer_id,
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
        short = [
            (pk, kg, received)
            for pk, kg, received in _due(self, window)
            if received is not None
            and rules.shortfall(
                float(kg), float(received), tolerance_share=p["tolerance_share"], min_kg=p["min_kg"]
            )
            > 0
        ]
        for shipment in _shipments(short):
            yield self._finding(shipment)

    def _finding(self, shipment: Shipment) -> Finding:
        event = shipment.event
        missing = shipment.kg - shipment.received
        return self.event_finding(
            event,
            enterprise_id=shipment.buyer_id,
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
