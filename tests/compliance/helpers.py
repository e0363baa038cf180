"""Ledger scenes for the compliance tests, written through the ledger's capture."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from reetrace.compliance.services.detection import detect
from reetrace.ledger.rules import CHINA_TIME
from tests.factories.world import ORE_COMPOSITION, at, code, mine_event, receive_event, ship_event

NINE = Decimal("0.000000001")
ORE = {el: Decimal(v) for el, v in ORE_COMPOSITION.items()}
SCRAP = {"Pr": "0.06", "Nd": "0.225", "Dy": "0.012", "Tb": "0.002"}
IONIC_HEAVY = {"Y": "0.48", "Dy": "0.06", "Tb": "0.009", "Gd": "0.05", "Er": "0.035", "Nd": "0.03"}


def when(month: int, day: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, 12, tzinfo=CHINA_TIME)


def run(world, *rules: str, as_of: datetime | None = None, **kwargs):
    """Detection with the given rules, as of a fixed moment by default (2025-12-20)."""
    return detect(rules=list(rules), as_of=as_of or when(12, 20), **kwargs)


def ore_at_separator(world, kg: str = "40000") -> None:
    """Lot 1 mined in January and received in full by the separator."""
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, kg, world.separator))
    world.capture(world.separator, receive_event("r1", "s1", kg))


def separation(
    event_id: str,
    kg: str,
    *,
    yield_: str,
    keep: dict[str, str] | None = None,
    month: int = 1,
    out_lot: int = 101,
) -> dict:
    """Separate `kg` of lot 1 into one mixed lot holding `yield_` of every element.

    `keep` overrides the yield of single elements (e.g. {"Dy": "0"} drops Dy).
    """
    metal = {el: Decimal(kg) * f for el, f in ORE.items()}
    factors = {el: Decimal((keep or {}).get(el, yield_)) for el in metal}
    out_kg = Decimal(4000)  # a carbonate holds at most ~61 % metal (La2(CO3)3)
    composition = {
        el: str((m * factors[el] / out_kg).quantize(NINE, rounding=ROUND_DOWN))
        for el, m in metal.items()
        if factors[el] > 0
    }
    return {
        "event_id": event_id,
        "kind": "transform",
        "event_time": at(month, 10),
        "process": "separation",
        "quota": "Q-2025-SEP-1",
        "inputs": [{"lot": code(1), "mass": kg}],
        "outputs": [
            {
                "code": code(out_lot),
                "product": "MIXED-CARBONATE",
                "mass": str(out_kg),
                "composition": composition,
            }
        ],
    }


def adjust(event_id: str, lot: int, kg: str, reason: str = "process_loss", month: int = 1) -> dict:
    return {
        "event_id": event_id,
        "kind": "adjust",
        "event_time": at(month, 25),
        "lot": code(lot),
        "mass": kg,
        "reason": reason,
    }


def recycle(event_id: str, lot: int, composition: dict, month: int = 1) -> dict:
    return {
        "event_id": event_id,
        "kind": "recycle",
        "event_time": at(month, 3),
        "source": "NdFeB magnet swarf",
        "lot": {
            "code": code(lot),
            "product": "SCRAP-MAGNET",
            "mass": "5000",
            "composition": composition,
        },
    }


def imported(event_id: str, lot: int, declaration: str, month: int = 1) -> dict:
    return {
        "event_id": event_id,
        "kind": "import",
        "event_time": at(month, 4),
        "customs_declaration": declaration,
        "origin_country": "MM",
        "lot": {
            "code": code(lot),
            "product": "MIXED-OXIDE-MHREE",
            "mass": "20000",
            "composition": IONIC_HEAVY,
        },
    }
