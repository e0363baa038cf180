"""Prices, customers and destinations: who a lot is sold to and for how much.

Honest prices come from the SMM ranges of docs/facts.md section 7 (config [prices]),
moved by the PrNd month factor, and never fall below the value of the
contained elements; under-invoicing is measured against that same floor.

The month factors (prices and export volumes) are those of `figures_year`
(2025). A dataset ending later keeps, after that year, the year's last price
level and no export seasonality: the compliance reference price table ends
there too, so honest prices stay where the price checks expect them.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from reetrace.compliance.price_book import stage_share
from reetrace.exportcontrol.classification import Classification, classify
from reetrace.registry.catalogue import STANDARD_PRODUCTS
from reetrace.registry.choices import EnterpriseRole as R
from reetrace.registry.elements import ELEMENTS
from reetrace.synth.cast import Cast
from reetrace.synth.compositions import Comp, contained_value, dec
from reetrace.synth.config import SynthConfig
from reetrace.synth.parties import Party

HS_CODES = {code: hs for code, _form, hs, _desc in STANDARD_PRODUCTS}
FORMS = {code: str(form) for code, form, _hs, _desc in STANDARD_PRODUCTS}
PRND_FAMILY = ("OXIDE-PRND", "METAL-PRND", "SCRAP-MAGNET")
# Products each kind of processor takes in; traders and sinks take anything.
WANTS = {
    R.SEPARATOR: ("ORE-", "MIXED-OXIDE", "MIXED-CARBONATE"),
    R.METAL_MAKER: ("OXIDE-PRND", "OXIDE-DY", "OXIDE-TB", "OXIDE-SM"),
    R.RECYCLER: ("SCRAP-",),
}
SINGLE_OXIDES = {"La": "OXIDE-LA", "Ce": "OXIDE-CE", "Sm": "OXIDE-SM", "Gd": "OXIDE-GD"}
SINGLE_OXIDES |= {"Tb": "OXIDE-TB", "Dy": "OXIDE-DY", "Y": "OXIDE-Y", "Pr": "OXIDE-PRND"}
SINGLE_OXIDES |= {"Nd": "OXIDE-PRND"}


class Market:
    def __init__(self, cfg: SynthConfig, cast: Cast, rng: random.Random, business=None):
        self.cfg = cfg
        self.business = business
        self.cast = cast
        self.rng = rng
        self.prices = cfg["prices"]
        self.grades = cfg["magnets"]
        monthly = cfg["exports"]["monthly_t"]
        mean = sum(monthly) / len(monthly)
        self.export_season = [m / mean for m in monthly]
        self.figures_year = int(self.prices["figures_year"])
        self.usd_cny = dec(self.prices["usd_cny"])
        self.element_prices = self._element_prices()
        countries = list(cfg["destinations"])
        self.countries = countries
        self.country_weights = [cfg["destinations"][c] for c in countries]

    def _element_prices(self) -> dict[str, Decimal]:
        """CNY per kg of each element as metal, from its oxide's lower price."""
        found = {}
        for el, product in SINGLE_OXIDES.items():
            low = dec(self.prices[product][0])
            found[el] = low * ELEMENTS[el].metal_to_oxide
        return found

    def _month_index(self, day: date) -> int:
        """Index into the figures year's monthly lists: its first or last month outside it."""
        if day.year == self.figures_year:
            return day.month - 1
        return 0 if day.year < self.figures_year else 11

    def prnd_factor(self, day: date) -> Decimal:
        return dec(self.prices["prnd_month_factor"][self._month_index(day)])

    def value_floor(self, kg: Decimal, comp: Comp, day: date, product: str) -> Decimal:
        """Contained value at the product's stage (compliance stage_shares.toml), as the
        price checks value it: an ore is floored at its concentrate price, not its oxides'."""
        factor = self.prnd_factor(day)
        scaled = {
            el: p * (factor if el in ("Pr", "Nd") else 1) for el, p in self.element_prices.items()
        }
        return contained_value(kg, comp, scaled) * dec(stage_share(FORMS[product], day, product))

    def _range(self, product: str, grade: str | None) -> tuple[float, float]:
        if grade and grade in self.grades:
            return self.grades[grade]["price"]
        return self.prices[product]

    def market_price(self, product: str, comp: Comp, day: date, grade: str | None = None):
        """The middle of the product's price range on `day` (PrNd family moved by its month
        factor); a product the table does not price (recycled carbonate) at its stage value
        plus a tenth, what a separator pays for feed it must still separate."""
        if product not in self.prices and not (grade and grade in self.grades):
            return self.value_floor(Decimal(1), comp, day, product) * dec("1.1")
        low, high = self._range(product, grade)
        price = (dec(low) + dec(high)) / 2
        # NdFeB magnets are priced on the PrNd they hold (their grade prices are early-2025
        # quotes), so they follow PrNd's month factor as the PrNd family does.
        follows = product in PRND_FAMILY or product.startswith("MAGNET-NDFEB")
        return price * self.prnd_factor(day) if follows else price

    def unit_price(
        self, product: str, comp: Comp, day: date, grade: str | None = None, seller=None
    ) -> Decimal:
        """CNY/kg an honest seller asks: table price, never under contained value; in the
        business profile the market price times the seller's level (synth/business.py)."""
        if self.business is not None:
            level = self.business.price_level(seller, product, day)
            return (self.market_price(product, comp, day, grade) * level).quantize(Decimal("0.01"))
        low, high = self._range(product, grade)
        price = dec(round(self.rng.uniform(low, high), 2))
        if product in PRND_FAMILY:
            price *= self.prnd_factor(day)
        floor = self.value_floor(Decimal(1), comp, day, product) * dec("1.05")
        return max(price, floor).quantize(Decimal("0.01"))

    def route(self, seller: Party, product: str, day: date) -> str:
        """The buyer role (or 'export') for a lot the seller sells."""
        table = self.cfg["routes"].get(seller.role, {})
        weights = next((w for prefix, w in table.items() if product.startswith(prefix)), None)
        if not weights:
            return R.DOMESTIC_USER
        roles = list(weights)
        values = [weights[r] for r in roles]
        if "export" in weights and product.startswith("MAGNET-") and day.year == self.figures_year:
            values[roles.index("export")] *= self.export_season[day.month - 1]
        choice = self.rng.choices(roles, values)[0]
        if choice == "export" and not seller.exports:
            return R.TRADER
        return choice

    def buyer(self, seller: Party, role: str, product: str) -> Party | None:
        candidates = [p for p in self.cast.of(role) if p is not seller and _wants(p, product)]
        if seller.role == R.MINER:
            same = [p for p in candidates if p.group == seller.group]
            candidates = same or candidates
        if not candidates:
            return None
        return self.rng.choice(candidates)

    def destination(self) -> tuple[str, Party]:
        country = self.rng.choices(self.countries, self.country_weights)[0]
        return country, self.rng.choice(self.cast.buyers_by_country[country])

    def fob_usd(self, kg: Decimal, unit_cny: Decimal) -> Decimal:
        return (kg * unit_cny / self.usd_cny).quantize(Decimal("0.01"))


def classification(product: str, comp: Comp, day: date) -> Classification:
    """The export-control verdict the ledger's export guard will reach for this lot."""
    return classify(FORMS[product], comp, HS_CODES[product], day)


def _wants(party: Party, product: str) -> bool:
    if party.role == R.MAGNET_MAKER:
        if product == "METAL-SM":
            return "smco" in party.grades
        return product.startswith(("METAL-PRND", "ALLOY-", "METAL-TB"))
    prefixes = WANTS.get(party.role)
    return prefixes is None or product.startswith(prefixes)
