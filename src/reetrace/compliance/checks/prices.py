"""Prices: a sale far below the value of the rare earths it contains.

Under-invoicing moves profit (and VAT) off the books. A lot's floor is the value
of its contained elements at the reference prices valid on the shipment date;
processing only adds value, so a price well below that floor needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.prices import PriceBook
from reetrace.ledger.models import Shipment


class PriceBelowValue(Check):
    """A domestic sale priced below a share of its contained elements' value.

    Parameters: `min_fraction` (fires below this share of the contained value),
    `min_value_cny_per_kg` (ignore lots worth less), `fx_to_cny` (currencies
    priced; others are skipped), `severity`. Prices: the ReferencePrice table.
    """

    name = "price_below_value"
    title = "price below contained value"

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        book = PriceBook()
        shipments = (
            Shipment.objects.filter(
                event__corrected_by__isnull=True,
                currency__in=list(p["fx_to_cny"]),
                **window.period_filter("event__period"),
            )
            .select_related("event", "lot", "buyer")
            .prefetch_related("lot__elements")
            .order_by("event__event_time", "pk")
        )
        for shipment in shipments:
            event = shipment.event
            composition = {e.element: float(e.fraction) for e in shipment.lot.elements.all()}
            value = rules.contained_value(composition, book.metal_prices(event.event_time.date()))
            price = float(shipment.unit_price) * p["fx_to_cny"][shipment.currency]
            if rules.price_is_low(
                price, value, min_fraction=p["min_fraction"], min_value=p["min_value_cny_per_kg"]
            ):
                yield self._finding(shipment, price, value)

    def _finding(self, shipment: Shipment, price: float, value: float) -> Finding:
        event = shipment.event
        gap = (value - price) * float(shipment.kg)
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=shipment.seller_id,
            period=event.period,
            explanation=(
                f"{event.event_id} sold {shipment.kg} kg of lot {shipment.lot.code} to "
                f"{shipment.buyer.identifier} at {price:.2f} CNY/kg; its rare earths alone "
                f"were worth {value:.2f} CNY/kg on {event.event_time:%Y-%m-%d} "
                f"({price / value:.0%}). About {gap:,.0f} CNY of value is not invoiced."
            ),
            figures={
                "expected": round(value, 2),
                "observed": round(price, 2),
                "tolerance": self.params["min_fraction"],
                "unit": "CNY/kg",
                "currency": shipment.currency,
                "uninvoiced_cny": round(gap, 2),
            },
            lots=[shipment.lot.code],
            events=[event.event_id],
        )
