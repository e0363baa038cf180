"""What a trace answers (`Genealogy`, `Edge`), and the conversions its parts share."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reetrace.core.quantities import round_kg
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.genealogy.sql import Direction

__all__ = ["Edge", "Genealogy", "kg_of", "moment", "reo_of", "rounded", "totals"]


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    kg: Decimal
    reo_kg: dict[str, Decimal]
    event_id: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class Genealogy:
    lot: str
    direction: Direction
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    origins: list[dict] = field(default_factory=list)
    limit: int | None = None
    depth: int | None = None
    truncated: bool = False
    generations: list[dict] = field(default_factory=list)
    unresolved: list[dict] = field(default_factory=list)
    attribution: dict | None = None


def kg_of(mg: int) -> Decimal:
    """Integer milligrams as kg with six decimals: `mg_to_kg`, in one Decimal step."""
    return Decimal(mg).scaleb(-6)


def moment(value: datetime | str | None) -> datetime | None:
    """A timestamp read by raw SQL, aware as the ORM returns it (SQLite gives text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
    return value


def rounded(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {el: round_kg(v) for el, v in amounts.items() if v}


def totals(maps: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
    """Per element sums, in the element table's order."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for amounts in maps:
        for el, v in amounts.items():
            total[el] += v
    return {el: total[el] for el in ELEMENTS if total.get(el)}


def reo_of(lot: dict, kg: Decimal) -> dict[str, Decimal]:
    """REO kg per element in `kg` of a lot node."""
    if not lot["mass_kg"]:
        return {}
    return {el: round_kg(v * kg / lot["mass_kg"]) for el, v in lot["reo_kg"].items()}


def json_decimals(raw: str | dict) -> dict[str, Decimal]:
    """REO kg per element from a link's JSON (text from both databases)."""
    amounts = json.loads(raw) if isinstance(raw, str) else raw
    return {el: Decimal(v) for el, v in amounts.items()}
