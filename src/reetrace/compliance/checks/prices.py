"""Prices: a sale far below, or far above, the value of the rare earths it contains.

Under-invoicing moves profit (and VAT) off the books. A lot's floor is the value
of its contained elements at the reference prices valid on the shipment date,
times the stage share of its form (compliance/data/stage_shares.toml: an ore
concentrate sells at about a third of its separated-oxide value, an oxide at all
of it); processing only adds value, so a price well below that floor needs a reason.
Over-invoicing moves value the other way: a buyer paying many times what the
rare earths are worth transfers money to the seller (out of a company, across a
group, or to launder cash), so a price far above the contained value needs one too.
"""

from __future__ import annotations

from collections.abc import Iterator

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.config import rule_params
from reetrace.compliance.price_book import PriceBook, stage_share
from reetrace.ledger.models import Shipment


def _stage_value(shipment: Shipment, metal_prices: dict[str, float]) -> float:
    """CNY per kg the lot is worth at its stage: its elements at separated-oxide prices
    times the stage share of its form (an ore sells at about a third of that)."""
    composition = {e.element: float(e.fraction) for e in shipment.lot.elements.all()}
    value = rules.contained_value(composition, metal_prices)
    return value * _share(shipment)


def _share(shipment: Shipment) -> float:
    product = shipment.lot.product
    return stage_share(product.form, shipment.event.event_time.date(), product.code)


def _priced_shipments(window: Window, currencies: list[str]):
    return (
        Shipment.objects.filter(
            event__corrected_by__isnull=True,
            currency__in=currencies,
            **window.period_filter("event__period"),
        )
        .select_related("event", "lot__product", "buyer")
        .prefetch_related("lot__elements")
        .order_by("event__event_time", "pk")
    )


class PriceBelowValue(Check):
    """A domestic sale priced below a share of its contained elements' value.

    Parameters: `min_fraction` (fires below this share of the contained value),
    `min_value_cny_per_kg` (ignore lots worth less), `fx_to_cny` (currencies
    priced; others are skipped), `severity`. Prices: the ReferencePrice table.
    """

    name = "price_below_value"
    title = "price below contained value"
    incremental = True
    sources = ("prices",)

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        book = PriceBook()
        for shipment in _priced_shipments(window, list(p["fx_to_cny"])):
            event = shipment.event
            value = _stage_value(shipment, book.metal_prices(event.event_time.date()))
            price = float(shipment.unit_price) * p["fx_to_cny"][shipment.currency]
            if rules.price_is_low(
                price, value, min_fraction=p["min_fraction"], min_value=p["min_value_cny_per_kg"]
            ):
                yield self._finding(shipment, price, value)

    def _finding(self, shipment: Shipment, price: float, value: float) -> Finding:
        event = shipment.event
        gap = (value - price) * float(shipment.kg)
        return self.event_finding(
            event,
            enterprise_id=shipment.seller_id,
            explanation=(
                f"{event.event_id} sold {shipment.kg} kg of lot {shipment.lot.code} to "
                f"{shipment.buyer.identifier} at {price:.2f} CNY/kg; its rare earths alone "
                f"were worth {value:.2f} CNY/kg as {shipment.lot.product.form} on "
                f"{event.event_time:%Y-%m-%d} "
                f"({price / value:.0%}). About {gap:,.0f} CNY of value is not invoiced."
            ),
            figures={
                "expected": round(value, 2),
                "observed": round(price, 2),
                "tolerance": self.params["min_fraction"],
                "unit": "CNY/kg",
                "currency": shipment.currency,
                "uninvoiced_cny": round(gap, 2),
                "stage_share": _share(shipment),
            },
            lots=[shipment.lot.code],
            events=[event.event_id],
        )


class PriceAboveValue(Check):
    """A domestic sale priced at a large multiple of its contained elements' value.

    Parameters: `max_multiple` (fires above this multiple of the contained value),
    `min_value_cny_per_kg` (ignore lots whose rare earths are worth less: for them
    processing or other contents, not the rare earths, make the price: La/Ce oxides,
    Sm metal, SmCo magnets and swarf whose cobalt is the value, ore concentrates),
    `min_priced_share` (ignore lots whose rare-earth content is less than this share
    elements with a reference price: Eu, Tm, Yb, Lu have none, so the value of a
    lot made of them is unknown), `fx_to_cny` (when absent, that of
    [price_below_value]), `severity`. Prices: the ReferencePrice table. Finished
    goods (magnets) sell at 1-2x their rare-earth value, so 3x is far outside trade.
    """

    name = "price_above_value"
    title = "price far above contained value"
    incremental = True
    sources = ("prices",)

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        fx = p.get("fx_to_cny") or rule_params("price_below_value")["fx_to_cny"]
        book = PriceBook()
        for shipment in _priced_shipments(window, list(fx)):
            event = shipment.event
            composition = {e.element: float(e.fraction) for e in shipment.lot.elements.all()}
            metal_prices = book.metal_prices(event.event_time.date())
            total = sum(composition.values())
            priced = sum(f for el, f in composition.items() if el in metal_prices)
            if total <= 0 or priced / total < p["min_priced_share"]:
                continue
            value = _stage_value(shipment, metal_prices)
            price = float(shipment.unit_price) * fx[shipment.currency]
            if rules.price_is_high(
                price, value, max_multiple=p["max_multiple"], min_value=p["min_value_cny_per_kg"]
            ):
                yield self._finding(shipment, price, value)

    def _finding(self, shipment: Shipment, price: float, value: float) -> Finding:
        event = shipment.event
        excess = (price - value) * float(shipment.kg)
        return self.event_finding(
            event,
            enterprise_id=shipment.seller_id,
            explanation=(
                f"{event.event_id} sold {shipment.kg} kg of lot {shipment.lot.code} to "
                f"{shipment.buyer.identifier} at {price:.2f} CNY/kg, {price / value:.1f} times "
                f"the {value:.2f} CNY/kg its rare earths were worth as "
                f"{shipment.lot.product.form} on "
                f"{event.event_time:%Y-%m-%d}. About {excess:,.0f} CNY paid above the "
                "material's value may be a transfer of value to the seller."
            ),
            figures={
                "expected": round(value, 2),
                "observed": round(price, 2),
                "tolerance": self.params["max_multiple"],
                "unit": "CNY/kg",
                "currency": shipment.currency,
                "multiple": round(price / value, 2),
                "excess_cny": round(excess, 2),
                "buyer": shipment.buyer.identifier,
                "stage_share": _share(shipment),
            },
            lots=[shipment.lot.code],
            events=[event.event_id],
        )
