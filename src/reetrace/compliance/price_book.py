"""The dated reference price table read on a date (`services/prices.py` loads it).

The shipped default (data/reference_prices.csv) holds the SMM quotes of
docs/facts.md section 7, low end of each range, in CNY per kg of the form. A row is
valid from its date until the next row of the same element and form.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from reetrace.compliance import rules
from reetrace.compliance.models import ReferencePrice

DEFAULT_PRICES = Path(__file__).parent / "data" / "reference_prices.csv"
STAGE_SHARES = Path(__file__).parent / "data" / "stage_shares.toml"


@dataclass(frozen=True)
class StageShares:
    """The stage shares file: dated rows (per form, or per product of a form) and the
    undated forms whose share is 1 by definition."""

    dated: dict[str, tuple[list[date], list[float]]]
    fixed: dict[str, float]

    def share(self, form: str, on: date, product: str = "") -> float:
        series = self.dated.get(product) or self.dated.get(form)
        if series is None:
            return self.fixed[form]
        dates, shares = series
        return shares[max(0, bisect_right(dates, on) - 1)]


@cache
def stage_shares() -> StageShares:
    """Share of the separated-oxide value a product form sells at (sources in the file)."""
    with STAGE_SHARES.open("rb") as f:
        data = tomllib.load(f)
    rows = defaultdict(list)
    for row in sorted(data["dated"], key=lambda r: r["valid_from"]):
        rows[row.get("product") or row["form"]].append((row["valid_from"], float(row["share"])))
    dated = {key: ([d for d, _ in v], [s for _, s in v]) for key, v in rows.items()}
    return StageShares(dated, {form: float(v) for form, v in data["shares"].items()})


def stage_share(form: str, on: date, product: str = "") -> float:
    """An ore concentrate sells at about a third of its separated value, an oxide at all of
    it: a price is compared with the value at the lot's own stage on its day, not the
    oxide's. A product with rows of its own (a carbonate, a mixed oxide) takes those."""
    return stage_shares().share(form, on, product)


class PriceBook:
    """Metal-equivalent prices per element on any date, from the oxide rows."""

    def __init__(self, form: str = "oxide"):
        self.series: dict[str, tuple[list[date], list[float]]] = {}
        rows = defaultdict(list)
        for p in ReferencePrice.objects.filter(form=form).order_by("valid_from"):
            rows[p.element].append(
                (p.valid_from, rules.oxide_to_metal_price(p.element, float(p.cny_per_kg)))
            )
        for element, points in rows.items():
            self.series[element] = ([d for d, _ in points], [v for _, v in points])

    def metal_prices(self, on: date) -> dict[str, float]:
        """CNY per kg of metal for each element priced on `on` (latest row before it)."""
        found = {}
        for element, (dates, values) in self.series.items():
            index = bisect_right(dates, on) - 1
            if index >= 0:
                found[element] = values[index]
        return found
