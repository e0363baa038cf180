"""When each enterprise works and how much it is allowed: schedules and quotas.

Miners spread their planned lots over the twelve months, processors run a few
times a month, and every quota holder is issued a quota a little above its plan; a
fraudster holding a quota is issued less than it will in fact use. Quotas are
annual: when the twelve months span two calendar years, each holder gets one
quota per year, for the share of its plan that falls in that year's months.
"""

from __future__ import annotations

import calendar
from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.registry.elements import ELEMENTS, ElementGroup
from reetrace.synth.compositions import dec
from reetrace.synth.parties import Party

RUNS = {
    R.SEPARATOR: ("processes", "separation"),
    R.METAL_MAKER: ("processes", "reduction"),
    R.MAGNET_MAKER: ("processes", "magnet_making"),
    R.RECYCLER: ("processes", "recycling"),
    R.TRADER: ("trading", None),
}
DOCUMENT = "工信部联原〔{year}〕synthetic"  # 2025 quota notices were not published (FACTS 2)


def heavy_fraction(distribution: dict) -> Decimal:
    total = sum(dec(v) for v in distribution.values())
    heavy = sum(
        (dec(v) for el, v in distribution.items() if ELEMENTS[el].group != ElementGroup.LIGHT),
        Decimal(0),
    )
    return heavy / total


class Schedule:
    def __init__(self, chain):
        self.g = chain
        self.days = chain.window.days
        self.work: dict[str, frozenset[int]] = {}
        self.lots: dict[str, dict[int, int]] = {}
        self.import_lots: dict[str, dict[int, int]] = {}
        self.scrap_lots: dict[str, dict[int, int]] = {}
        self._plan()

    def _plan(self) -> None:
        g, cfg = self.g, self.g.cfg
        for role, (section, key) in RUNS.items():
            runs = cfg[section][key]["runs_per_month"] if key else cfg[section]["runs_per_month"]
            for party in g.cast.of(role):
                self.work[party.identifier] = self._monthly_days(runs)
        for miner in g.cast.of(R.MINER):
            ore = cfg["ores"][miner.ore]
            kind = "ore_concentrate" if ore["product"].startswith("ORE-") else "mixed_oxide"
            per_lot = self._mean(cfg["lots"][kind]) * self._mean(ore["treo"], scaled=False)
            count = miner.plan_reo_kg / per_lot
            business = g.business
            self.lots[miner.identifier] = (
                business.mining_days(g.rng, count) if business else self._spread(count)
            )
        seps = g.cast.of(R.SEPARATOR)
        imports = dec(cfg["national"]["imports_t_reo"]) * 1000 * dec(cfg.volume_share)
        for sep in seps:
            per_lot = self._mean(cfg["lots"]["import"]) * dec("0.7")
            self.import_lots[sep.identifier] = self._spread(imports / len(seps) / per_lot)
        scrap = dec(cfg["national"]["scrap_collected_t"]) * 1000 * dec(cfg.volume_share)
        for rec in g.cast.of(R.RECYCLER):
            per_lot = self._mean(cfg["lots"]["scrap_collected"])
            self.scrap_lots[rec.identifier] = self._spread(
                scrap / len(g.cast.of(R.RECYCLER)) / per_lot
            )

    def _mean(self, pair, scaled: bool = True) -> Decimal:
        factor = dec(self.g.cfg.scale["lot_factor"]) if scaled else Decimal(1)
        return (dec(pair[0]) + dec(pair[1])) / 2 * factor

    def _monthly_days(self, runs: int) -> frozenset[int]:
        days = []
        start = 0
        for month in self.g.window.months:
            length = calendar.monthrange(month.year, month.month)[1]
            for k in range(runs):
                days.append(start + int((k + self.g.rng.random()) * length / runs))
            start += length
        return frozenset(days)

    def _spread(self, count: Decimal) -> dict[int, int]:
        n = max(1, int(count.to_integral_value()))
        by_day: dict[int, int] = {}
        for i in range(n):
            day = min(self.days - 1, int((i + self.g.rng.random()) * self.days / n))
            by_day[day] = by_day.get(day, 0) + 1
        return by_day

    def works(self, party: Party, day: int) -> bool:
        return day in self.work.get(party.identifier, ())

    def lots_today(self, party: Party, day: int) -> int:
        return self.lots.get(party.identifier, {}).get(day, 0)

    def imports_today(self, party: Party, day: int) -> int:
        return self.import_lots.get(party.identifier, {}).get(day, 0)

    def scrap_today(self, party: Party, day: int) -> int:
        return self.scrap_lots.get(party.identifier, {}).get(day, 0)

    # -- quotas ---------------------------------------------------------------
    def issue_quotas(self) -> list[dict]:
        """One quota per holder, kind and calendar year the window touches."""
        records = []
        for year in self.g.window.years:
            records += self._year_quotas(year, self._year_share(year))
        return records

    def _year_share(self, year: int) -> Decimal:
        """The share of the plan (spread evenly over the window's days) in `year`."""
        window = self.g.window
        return Decimal(window.days_in(year)) / Decimal(window.days)

    def _year_quotas(self, year: int, share: Decimal) -> list[dict]:
        g = self.g
        records = []
        for miner in g.cast.of(R.MINER):
            heavy = heavy_fraction(g.cfg["ores"][miner.ore]["distribution"])
            plan = miner.plan_reo_kg if share == 1 else miner.plan_reo_kg * share
            records.append(self._quota(miner, "mining", year, plan, heavy))
        feed_heavy = self._separator_heavy()
        for sep in g.cast.of(R.SEPARATOR):
            plan = sep.plan_reo_kg if share == 1 else sep.plan_reo_kg * share
            records.append(self._quota(sep, "separation", year, plan, feed_heavy[sep.identifier]))
        return records

    def _separator_heavy(self) -> dict[str, Decimal]:
        """Expected medium/heavy share of each separator's feed (mines of its group, imports)."""
        g = self.g
        seps = g.cast.of(R.SEPARATOR)
        heavy = {s.identifier: Decimal(0) for s in seps}
        for miner in g.cast.of(R.MINER):
            mates = [s for s in seps if s.group == miner.group] or seps
            share = heavy_fraction(g.cfg["ores"][miner.ore]["distribution"])
            for sep in mates:
                heavy[sep.identifier] += miner.plan_reo_kg / len(mates) * share
        imports = dec(g.cfg["national"]["imports_t_reo"]) * 1000 * dec(g.cfg.volume_share)
        sources = g.cfg["imports"]
        total = sum(dec(i["share"]) for i in sources)
        import_heavy = (
            sum(
                (
                    dec(i["share"]) * heavy_fraction(g.cfg["ores"][i["ore"]]["distribution"])
                    for i in sources
                ),
                Decimal(0),
            )
            / total
        )
        for sep in seps:
            heavy[sep.identifier] += imports / len(seps) * import_heavy
        return {s.identifier: min(Decimal(1), heavy[s.identifier] / s.plan_reo_kg) for s in seps}

    def _quota(self, party: Party, kind: str, year: int, plan: Decimal, heavy: Decimal) -> dict:
        g = self.g
        overrun = g.fraud.roll("quota_overrun")
        low, high = (0.75, 0.92) if overrun else g.cfg["national"]["quota_headroom"]
        factor = dec(round(g.rng.uniform(low, high), 3))
        light_kg = (plan * (1 - heavy) * factor).quantize(Decimal(1))
        heavy_kg = (plan * heavy * factor).quantize(Decimal(1))
        code = f"Q{year}-{g.seed}-{kind[:3].upper()}-{len(g.quotas) + 1:04d}"
        state = {
            "code": code,
            "year": year,
            "enterprise": party.identifier,
            "kind": kind,
            "light_kg": light_kg,
            "heavy_kg": heavy_kg,
            "used_light": Decimal(0),
            "used_heavy": Decimal(0),
            "overrun": overrun,
            "over_lots": [],
            "over_events": [],
        }
        party.quotas[(kind, year)] = state
        g.quotas.append(state)
        return {
            "code": code,
            "enterprise": party.identifier,
            "year": year,
            "kind": kind,
            "light_t": f"{light_kg / 1000:.3f}",
            "medium_heavy_t": f"{heavy_kg / 1000:.3f}",
            "document": DOCUMENT.format(year=year),
        }
