"""Honest business: the habits of real trade that honest books show (`--profile business`).

A chain with every fraud rate 0 is honest but too tidy: every mine works evenly,
every lot is sold the day it is made at a price close to the table's, every
shipment is received whole, and no one corrects anything late. Real books are
not like that, and a rule that fires on them is wrong. With config.toml
[business] enabled:

- mining follows the seasons (`mining_season`, a factor per calendar month);
- some separators and metal makers hold their PrNd output for months before
  selling it (`stockpile_*`, `hold_days`);
- prices scatter around the market's middle price by up to +/- `dispersion`,
  along a trend of each seller's own over the year;
- some shipments are received in two receipts, the rest a month or two later;
- recyclers leach part of their scrap into a mixed carbonate that separators
  separate with their ore (recycled feed, drawing on no separation quota), and
  their separated oxides feed metal makers as before;
- some month-end stock counts are entered with the wrong sign and replaced
  (void + replace) a month or two later, once the month is closed;
- controlled products are exported under licence, as in every profile.

Its dice come from a stream of their own, so the profile's other draws (who buys,
what yields) stay those of the honest chain where they can.
"""

from __future__ import annotations

import calendar
import random
from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth.compositions import dec, fmt, grams
from reetrace.synth.parties import Holding, Party

__all__ = ["Business", "business_of"]

STOCKPILERS = (R.SEPARATOR, R.METAL_MAKER)
RECYCLED_FEED = "MIXED-CARBONATE"
CARBONATE_REO = (0.42, 0.48)  # REO share of a mixed rare-earth carbonate (REO >= 42 %)


def business_of(cfg, seed: int, window) -> Business | None:
    """The profile's state when config [business] is enabled, else None."""
    params = cfg.data.get("business") or {}
    return Business(params, seed, window) if params.get("enabled") else None


class Business:
    def __init__(self, params: dict, seed: int, window):
        self.p = params
        self.seed = seed
        self.window = window
        self.rng = random.Random(f"business-{seed}")
        self.fixes: dict[int, list[tuple[Party, Holding, str, Decimal]]] = {}

    # -- seasonal mining ------------------------------------------------------------
    def mining_days(self, rng: random.Random, count: Decimal) -> dict[int, int]:
        """`count` lots spread over the window's months by the season's factors (largest
        remainder), at least one a month for a mine that plans twelve; days at random."""
        months = self.window.months
        n = max(1, int(count.to_integral_value()))
        weights = [self.p["mining_season"][m.month - 1] for m in months]
        exact = [n * w / sum(weights) for w in weights]
        per_month = [int(x) for x in exact]
        if n >= len(months):
            per_month = [max(1, k) for k in per_month]
        left = n - sum(per_month)
        by_remainder = sorted(range(len(months)), key=lambda i: int(exact[i]) - exact[i])
        for i in by_remainder[: max(0, left)]:
            per_month[i] += 1
        by_day: dict[int, int] = {}
        start = 0
        for month, lots in zip(months, per_month, strict=True):
            length = calendar.monthrange(month.year, month.month)[1]
            for j in range(lots):
                day = start + int((j + rng.random()) * length / lots)
                by_day[day] = by_day.get(day, 0) + 1
            start += length
        return by_day

    # -- quota ---------------------------------------------------------------------
    @staticmethod
    def quota_rest(quota: dict, kg: Decimal, light: Decimal, heavy: Decimal) -> Decimal:
        """The part of a `kg` lot (`light`/`heavy` kg REO) that the quota still allows."""
        shares = [Decimal(1)]
        for used, limit, need in (
            ("used_light", "light_kg", light),
            ("used_heavy", "heavy_kg", heavy),
        ):
            if need > 0:
                shares.append(max(Decimal(0), (quota[limit] - quota[used]) / need))
        return grams(kg * min(shares) * dec("0.999"))

    # -- stock built up -------------------------------------------------------------
    def stockpiles(self, party: Party) -> bool:
        """Whether this enterprise holds its PrNd output (fixed per enterprise)."""
        if party.role not in STOCKPILERS:
            return False
        draw = random.Random(f"stockpile-{self.seed}-{party.identifier}").random()
        return draw < self.p["stockpile_share"]

    def hold(self, g, seller: Party, holding: Holding) -> bool:
        """True when the lot goes (or stays) in the seller's stock instead of being sold."""
        tag = holding.tag or {}
        if "held" in tag:
            return False
        if "hold_until" not in tag:
            if holding.product not in self.p["stockpile_products"] or not self.stockpiles(seller):
                return False
            days = self.rng.randint(*self.p["hold_days"])
            holding.tag = tag = tag | {"hold_until": g.day_index + days}
        if tag["hold_until"] > g.day_index:
            seller.add(holding)
            return True
        return False

    def released(self, g, party: Party) -> list[Holding]:
        """The held lots whose time has come, taken out of stock to be sold."""
        found = []
        for product in self.p["stockpile_products"]:
            lots = party.stock.get(product, [])
            due = [
                h for h in lots if (h.tag or {}).get("hold_until", g.last_day + 1) <= g.day_index
            ]
            for holding in due:
                lots.remove(holding)
                tag = dict(holding.tag or {})
                del tag["hold_until"]
                holding.tag = tag | {"held": True}
            found += due
        return found

    # -- prices ---------------------------------------------------------------------
    def price_level(self, seller: Party | None, product: str, day) -> Decimal:
        """1 + the seller's trend on `day` + noise, within 1 +/- dispersion."""
        low, high = self.p["trend"]
        key = seller.identifier if seller else "market"
        trend = random.Random(f"trend-{self.seed}-{key}-{product}")
        start, end = trend.uniform(low, high), trend.uniform(low, high)
        share = (day - self.window.first_day).days / self.window.days
        noise = self.p["price_noise"]
        level = start + (end - start) * share + self.rng.uniform(-noise, noise)
        spread = self.p["dispersion"]
        return dec(round(1 + max(-spread, min(spread, level)), 4))

    # -- partial receipts -------------------------------------------------------------
    def receipts(self, g, kg: Decimal, arrival: int) -> list[tuple[int, Decimal]]:
        """(day, kg) of each receipt: one on arrival, or two when the rest comes later."""
        later = arrival + self.rng.randint(*self.p["rest_days"])
        if later > g.last_day or self.rng.random() >= self.p["partial_receipt_rate"]:
            return [(arrival, kg)]
        first = grams(kg * dec(round(self.rng.uniform(*self.p["first_share"]), 3)))
        if first <= 0 or first >= kg:
            return [(arrival, kg)]
        return [(arrival, first), (later, kg - first)]

    # -- recycled feed ----------------------------------------------------------------
    def carbonate_run(self) -> bool:
        return self.rng.random() < self.p["recycled_carbonate_share"]

    def carbonate_reo_share(self) -> Decimal:
        return dec(round(self.rng.uniform(*CARBONATE_REO), 4))

    # -- late corrections ---------------------------------------------------------------
    def miscount(self, g) -> int | None:
        """The day a count entered with the wrong sign now will be fixed, or None for a
        count entered right (and for one whose fix would fall after the window)."""
        if self.rng.random() >= self.p["late_correction_rate"]:
            return None
        day = g.day_index + self.rng.randint(*self.p["late_days"])
        return day if day <= g.last_day else None

    def fix_on(self, day: int, party: Party, lot: Holding, event_id: str, delta: Decimal) -> None:
        self.fixes.setdefault(day, []).append((party, lot, event_id, delta))

    def fix_due(self, g) -> None:
        """Replace the counts entered wrong, where the lot is still held: the reversal and
        the right count together move it by twice the count."""
        for party, lot, event_id, delta in self.fixes.pop(g.day_index, []):
            held = any(h is lot for h in party.stock.get(lot.product, []))
            if not held or lot.kg < 2 * abs(delta) + dec("0.001"):
                continue
            fix = g.emit.correct(
                party,
                event_id,
                "month-end count entered with the wrong sign; found at a later count",
                {"mass": fmt(delta)},
            )
            g.put("event", fix)
            lot.kg += 2 * delta
