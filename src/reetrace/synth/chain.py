"""The synthetic national chain as one seeded stream of records, day by day.

`Chain(cfg, seed, end_month).records()` yields ("group" | "enterprise" | "quota" |
"licence" | "customs" | "event" | "closing", dict) in time order: the registry
first, then each day's events. Nothing but the day's buffer, the inventories
of working enterprises and the receipts in transit is held, so national scale
streams in bounded memory. The chain covers the twelve months ending with
`end_month` (`window.py`). Pure Python: no ORM, no clock, no global state.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth import evasion, magnets, reporting, stages, trade
from reetrace.synth.business import business_of
from reetrace.synth.cast import build_cast
from reetrace.synth.compositions import comp_text, dec, fmt, grams
from reetrace.synth.config import SynthConfig
from reetrace.synth.events import CST, Emitter
from reetrace.synth.fraud import FraudBook
from reetrace.synth.market import Market, classification
from reetrace.synth.parties import Party
from reetrace.synth.partner import PartnerStats
from reetrace.synth.schedule import Schedule
from reetrace.synth.window import REFERENCE_END_MONTH, Window, month_add

Record = tuple[str, dict]


def licence_record(holding, codes: list[str]) -> dict:
    """What was applied for: the lot, its composition and the control codes it matched."""
    return {
        "product": holding.product,
        "lot": holding.code,
        "kg": fmt(holding.kg),
        "composition": comp_text(holding.comp),
        "control_codes": codes,
    }


class Chain:
    def __init__(self, cfg: SynthConfig, seed: int, end_month: date = REFERENCE_END_MONTH):
        self.cfg, self.seed = cfg, seed
        self.window = Window(end_month)
        self.rng = random.Random(seed)
        self.cast = build_cast(cfg, self.rng, seed)
        self.fraud = FraudBook(cfg, seed)
        self.topups = evasion.TopUps()
        self.business = business_of(cfg, seed, self.window)
        self.market = Market(cfg, self.cast, random.Random(f"market-{seed}"), self.business)
        per_day = cfg.scale["expected_events"] / 365
        self.emit = Emitter(
            seed, random.Random(f"clock-{seed}"), per_day, cfg["reporting"]["record_delay_minutes"]
        )
        self.last_day = self.window.days - 1
        self.pending: dict[int, list] = {}
        self.round_trips: dict[int, list] = {}
        self.closings: list[dict] = []
        self.partner = PartnerStats(cfg, seed)
        self.quotas: list[dict] = []
        self.out: list[Record] = []
        self.serials = {"I": 0, "E": 0, "L": 0, "A": 0}
        self.day = self.window.first_day
        self.day_index = 0
        self.schedule = Schedule(self)

    # -- helpers the stages call ---------------------------------------------
    @property
    def period(self) -> str:
        return f"{self.day:%Y-%m}"

    def put(self, kind: str, record: dict) -> None:
        self.out.append((kind, record))

    def lot_size(self, kind: str) -> Decimal:
        low, high = self.cfg["lots"][kind]
        return grams(dec(round(self.rng.uniform(low, high) * self.cfg.scale["lot_factor"], 3)))

    def customs_number(self, prefix: str) -> str:
        self.serials[prefix] += 1
        return f"{prefix}{self.day.year}{self.seed:03d}{self.serials[prefix]:09d}"

    def customs(
        self, flow, declaration, party, country, product, kg, day, fob=None, **export
    ) -> None:
        """A customs record; an export's carries its consignee and its country of
        arrival (运抵国, from the transport documents), which a diversion changes."""
        self.put(
            "customs",
            {
                "declaration": declaration,
                "flow": flow,
                "enterprise": party.identifier,
                "country": country,
                "product": product,
                "kg": fmt(kg),
                "date": day.isoformat(),
                "fob_usd": fmt(fob) if fob is not None else "",
                "consignee": export.get("consignee", ""),
                "arrival_country": export.get("arrival_country", ""),
            },
        )

    def licence(self, applicant: Party, buyer: Party, country: str, holding, *, status: str) -> str:
        """A licence decision (issued or refused) for exporting `holding` to `buyer`."""
        prefix = "L" if status == "issued" else "A"
        self.serials[prefix] += 1
        kind = "LIC" if prefix == "L" else "APP"
        number = f"{kind}-{self.day.year}-{self.seed}-{self.serials[prefix]:06d}"
        lead = self.rng.randint(*self.cfg["exports"]["licence_lead_days"])
        verdict = classification(holding.product, holding.comp, self.day)
        self.put(
            "licence",
            licence_record(holding, verdict.codes)
            | {
                "number": number,
                "status": status,
                "applicant": applicant.identifier,
                "consignee": buyer.name_en,
                "end_user": buyer.name_en,
                "end_user_id": buyer.identifier,
                "country": country,
                "applied_on": (self.day - timedelta(days=lead + 10)).isoformat(),
                "decided_on": (self.day - timedelta(days=self.rng.randint(1, 9))).isoformat(),
            },
        )
        return number

    # -- quotas ------------------------------------------------------------------
    def quota_of(self, party: Party, kind: str) -> dict:
        """The holder's quota of `kind` for the year of the day being simulated."""
        return party.quotas[(kind, self.day.year)]

    def quota_allows(self, quota: dict, light: Decimal, heavy: Decimal) -> bool:
        if quota["overrun"]:
            return True
        return (
            quota["used_light"] + light <= quota["light_kg"]
            and quota["used_heavy"] + heavy <= quota["heavy_kg"]
        )

    def quota_use(self, quota, light, heavy, event_id, lot_code) -> None:
        quota["used_light"] += light
        quota["used_heavy"] += heavy
        if self._over(quota):
            quota["over_lots"].append(lot_code)
            if event_id:
                quota["over_events"].append(event_id)

    def quota_event(self, quota: dict, event_id: str) -> None:
        if self._over(quota):
            quota["over_events"].append(event_id)

    @staticmethod
    def _over(quota: dict) -> bool:
        return quota["used_light"] > quota["light_kg"] or quota["used_heavy"] > quota["heavy_kg"]

    # -- the stream ----------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        for group in self.cast.groups:
            yield "group", dict(group)
        for party in self.cast.everyone():
            yield "enterprise", party.record()
        for quota in self.schedule.issue_quotas():
            yield "quota", quota
        for index in range(self.last_day + 1):
            self.day_index, self.day = index, self.window.day(index)
            self._work_day()
            yield from self.out
            self.out = []
        # Every planned closing is written, the last month's (and late ones) in the
        # months after the window: the truth's late reports then exist in the data.
        end = datetime.combine(month_add(self.window.end_month, 13), time(), tzinfo=CST)
        for closing in reporting.closings_due(self, end):
            yield "closing", closing
        self._finish_quotas()

    def _work_day(self) -> None:
        self.emit.start_day(self.day)
        if self.day.day == 1:
            reporting.plan_month(self, self.day)
        morning = datetime(self.day.year, self.day.month, self.day.day, 6, tzinfo=CST)
        for closing in reporting.closings_due(self, morning):
            self.put("closing", closing)
        trade.receive_due(self)
        evasion.round_trips_due(self)
        if self.business:
            self.business.fix_due(self)
        self._produce()
        if self.day_index == self.last_day:
            # The window's horizon: what was shipped today arrives today, so no
            # shipment is left unreceived by construction (only fraud leaves one).
            trade.receive_due(self)
        if (self.day + timedelta(days=1)).month != self.day.month:
            reporting.month_end(self)

    def _produce(self) -> None:
        s, d = self.schedule, self.day_index
        for miner in self.cast.of(R.MINER):
            for _ in range(s.lots_today(miner, d)):
                trade.sell(self, miner, stages.mine(self, miner))
        for sep in self.cast.of(R.SEPARATOR):
            for _ in range(s.imports_today(sep, d)):
                for holding in stages.import_feed(self, sep):
                    sep.add(holding)
            if s.works(sep, d):
                trade.sell(self, sep, stages.separate(self, sep) + self._released(sep))
        self._downstream(s, d)

    def _downstream(self, s: Schedule, d: int) -> None:
        for maker in self.cast.of(R.METAL_MAKER):
            if s.works(maker, d):
                trade.sell(self, maker, stages.reduce_to_metal(self, maker) + self._released(maker))
        for maker in self.cast.of(R.MAGNET_MAKER):
            if s.works(maker, d):
                trade.sell(self, maker, magnets.make_magnets(self, maker))
        for recycler in self.cast.of(R.RECYCLER):
            laundered = self.day.day == 1 and self.fraud.roll("laundering_scrap")
            for n in range(s.scrap_today(recycler, d) + laundered):
                for holding in stages.collect_scrap(self, recycler, laundered and n == 0):
                    recycler.add(holding)
            if s.works(recycler, d):
                trade.sell(self, recycler, stages.recycle(self, recycler))
        for trader in self.cast.of(R.TRADER):
            if s.works(trader, d):
                held = [h for product in list(trader.stock) for h in trader.take_all(product)]
                trade.sell(self, trader, held)

    def _released(self, party: Party) -> list:
        """Lots held back for months (business profile) whose time to be sold has come."""
        return self.business.released(self, party) if self.business else []

    def _finish_quotas(self) -> None:
        """Ground truth for quota overruns, now that each quota year's use is known."""
        for quota in self.quotas:
            if not quota["overrun"] or not self._over(quota):
                continue
            over = max(
                quota["used_light"] - quota["light_kg"], quota["used_heavy"] - quota["heavy_kg"]
            )
            self.fraud.record(
                "quota_overrun",
                enterprise=quota["enterprise"],
                period=str(quota["year"]),
                lots=quota["over_lots"],
                events=quota["over_events"],
                magnitude=over / 1000,
                unit="t REO",
                quota=quota["code"],
                quota_kind=quota["kind"],
                quota_light_t=fmt(quota["light_kg"] / 1000),
                quota_medium_heavy_t=fmt(quota["heavy_kg"] / 1000),
                used_light_t=fmt(grams(quota["used_light"]) / 1000),
                used_medium_heavy_t=fmt(grams(quota["used_heavy"]) / 1000),
            )
