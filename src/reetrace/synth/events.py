"""Events in exactly the API's shape, with deterministic ids, lot codes and clocks.

Within a day the clock only moves forward, so the stream is chronological and
every event comes after the events whose lots it uses. `recorded_at` is when
the enterprise typed it in: minutes to a day after the fact for honest
reporters, after the monthly deadline for a late one.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from reetrace.ledger.codes import lot_code_from_number
from reetrace.synth.compositions import Comp, comp_text, fmt
from reetrace.synth.parties import Holding, Party

CST = ZoneInfo("Asia/Shanghai")
WORKDAY_SECONDS = 15 * 3600


class Emitter:
    """Numbers events and lots, keeps the day's clock, and builds event dicts."""

    def __init__(self, seed: int, rng: random.Random, events_per_day: float, delays):
        self.seed = seed
        self.rng = rng
        self.events = 0
        self.lots = 0
        self.contracts = 0
        self.step = max(2, int(2 * WORKDAY_SECONDS / max(events_per_day, 1.0)))
        self.delays = delays
        self.late: dict[tuple[str, str], int] = {}
        self.now = datetime(2000, 1, 1, tzinfo=CST)
        self.day_end = self.now

    def start_day(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 7, tzinfo=CST)
        self.day_end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CST)

    def tick(self) -> datetime:
        self.now = min(self.now + timedelta(seconds=self.rng.randint(1, self.step)), self.day_end)
        return self.now

    def event_id(self) -> str:
        self.events += 1
        return f"syn{self.seed}-{self.events:09d}"

    def lot_code(self) -> str:
        self.lots += 1
        return lot_code_from_number(self.seed * 10**10 + self.lots)

    def contract(self, prefix: str = "HT") -> str:
        self.contracts += 1
        return f"{prefix}{self.now.year}-{self.seed}-{self.contracts:08d}"

    def base(self, kind: str, reporter: Party) -> dict:
        when = self.tick()
        recorded = when + timedelta(minutes=self.rng.randint(*self.delays))
        late_days = self.late.get((reporter.identifier, f"{when:%Y-%m}"))
        if late_days:
            deadline = _deadline(when)
            recorded = max(recorded, deadline + timedelta(days=late_days, hours=10))
        return {
            "event_id": self.event_id(),
            "kind": kind,
            "event_time": when.isoformat(),
            "reporter": reporter.identifier,
            "recorded_at": recorded.isoformat(),
        }

    def lot(self, party: Party, product: str, kg: Decimal, comp: Comp) -> tuple[dict, Holding]:
        code = self.lot_code()
        spec = {"code": code, "product": product, "mass": fmt(kg), "composition": comp_text(comp)}
        if party.site:
            spec["site"] = party.site
        return spec, Holding(code, product, kg, comp)

    def mine(self, party: Party, quota: str, product: str, kg: Decimal, comp: Comp):
        spec, holding = self.lot(party, product, kg, comp)
        return self.base("mine", party) | {"quota": quota, "lot": spec}, holding

    def imported(self, party: Party, declaration: str, country: str, product, kg, comp):
        spec, holding = self.lot(party, product, kg, comp)
        event = self.base("import", party) | {
            "customs_declaration": declaration,
            "origin_country": country,
            "lot": spec,
        }
        return event, holding

    def recycle(self, party: Party, source: str, product: str, kg: Decimal, comp: Comp):
        spec, holding = self.lot(party, product, kg, comp)
        return self.base("recycle", party) | {"source": source, "lot": spec}, holding

    def transform(self, party: Party, process: str, inputs, outputs, quota: str | None = None):
        """inputs: [(code, kg)]; outputs: [(product, kg, comp)] -> event, new holdings."""
        specs, holdings = [], []
        for product, kg, comp in outputs:
            spec, holding = self.lot(party, product, kg, comp)
            specs.append(spec)
            holdings.append(holding)
        event = self.base("transform", party) | {
            "process": process,
            "inputs": [{"lot": code, "mass": fmt(kg)} for code, kg in inputs],
            "outputs": specs,
        }
        if quota:
            event["quota"] = quota
        return event, holdings

    def ship(self, party: Party, lot: str, kg: Decimal, buyer: Party, price: Decimal) -> dict:
        return self.base("ship", party) | {
            "lot": lot,
            "mass": fmt(kg),
            "buyer": buyer.identifier,
            "unit_price": fmt(price),
            "currency": "CNY",
            "contract": self.contract(),
        }

    def receive(self, party: Party, shipment: str, kg: Decimal) -> dict:
        return self.base("receive", party) | {"shipment": shipment, "mass": fmt(kg)}

    def export(self, party: Party, lot: str, kg: Decimal, **declared) -> dict:
        return self.base("export", party) | {"lot": lot, "mass": fmt(kg)} | declared

    def adjust(self, party: Party, lot: str, kg: Decimal, reason: str, note: str = "") -> dict:
        return self.base("adjust", party) | {
            "lot": lot,
            "mass": fmt(kg),
            "reason": reason,
            "note": note,
        }

    def void(self, party: Party, target: str, reason: str) -> dict:
        return self.base("correct", party) | {
            "corrects": target,
            "action": "void",
            "reason": reason,
        }

    def correct(self, party: Party, target: str, reason: str, replacement: dict) -> dict:
        return self.base("correct", party) | {
            "corrects": target,
            "action": "replace",
            "reason": reason,
            "replacement": replacement,
        }


def _deadline(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 10, 23, 59, tzinfo=CST)
