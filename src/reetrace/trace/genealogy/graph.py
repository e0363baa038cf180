"""The rows of a trace statement sorted out: the lots kept with their generation, the
links between them, the frontier (links beyond), and their custody or origin records."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from reetrace.core.quantities import FRACTION_QUANTUM, KG_QUANTUM, PPB
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.genealogy.result import json_decimals, kg_of, moment
from reetrace.trace.genealogy.rows import (
    BeyondRow,
    ExportRow,
    LinkRow,
    LotRow,
    OriginRow,
    ShipmentRow,
)
from reetrace.trace.genealogy.sql import Direction

__all__ = ["Link", "TraceGraph"]

_FACTOR = {el: e.metal_to_oxide for el, e in ELEMENTS.items()}


class Link(NamedTuple):
    """A link between two lots shown, with the REO kg per element it carries."""

    parent_id: int
    child_id: int
    kg_mg: int
    reo_kg: dict[str, Decimal]
    event_id: str


class TraceGraph:
    """Lots by id (as nodes), links between them, links beyond, custody and origins."""

    def __init__(self, root: int, direction: Direction, rows: list) -> None:
        self.direction = direction
        self.lots: dict[int, dict] = {}
        self.inside: list[Link] = []
        self.more: dict[int, int] = defaultdict(int)  # links from a lot to lots not shown
        self.shipments: list[ShipmentRow] = []
        self.exports: list[ExportRow] = []
        self.origins: dict[int, OriginRow] = {}
        fractions: dict[str, Decimal] = {}
        for row in rows:
            match row:
                case LotRow():
                    self.lots[row.lot_id] = lot_node(row, fractions)
                case LinkRow():
                    reo = json_decimals(row.reo_kg)
                    self.inside.append(Link(*row[:3], reo, row.event_id))
                case BeyondRow():
                    self.more[row.lot_id] += row.links
                case ShipmentRow():
                    self.shipments.append(row)
                case ExportRow():
                    self.exports.append(row)
                case OriginRow():
                    self.origins[row.lot_id] = row
        self.depth = self._levels(root)
        self.shown = set(self.lots)

    def _ends(self, link: Link) -> tuple[int, int]:
        """(near, far) ends of a link as the trace walks it."""
        if self.direction == "up":
            return link.child_id, link.parent_id
        return link.parent_id, link.child_id

    def _levels(self, root: int) -> dict[int, int]:
        """Generation of each lot: its shortest path from the root (breadth first).

        The walk keeps the nearest lots, so every lot on a shortest path to a kept
        lot is kept too, and the links between kept lots give the true generation.
        """
        onward: dict[int, list[int]] = defaultdict(list)
        for link in self.inside:
            near, far = self._ends(link)
            onward[near].append(far)
        levels = {root: 0}
        frontier = [root]
        while frontier:
            following = []
            for lot_id in frontier:
                for far in onward.get(lot_id, ()):
                    if far not in levels:
                        levels[far] = levels[lot_id] + 1
                        following.append(far)
            frontier = following
        return levels

    def keep_within(self, depth: int | None) -> None:
        """Show only the lots within `depth` generations; links to the rest become `more`."""
        if depth is not None and any(level > depth for level in self.depth.values()):
            self.shown = {i for i in self.lots if self.depth[i] <= depth}
            kept = []
            for link in self.inside:
                near, far = self._ends(link)
                if near in self.shown and far in self.shown:
                    kept.append(link)
                elif near in self.shown:
                    self.more[near] += 1
            self.inside = kept
        self.more = {i: n for i, n in self.more.items() if i in self.shown}


def lot_node(row: LotRow, fractions: dict[str, Decimal]) -> dict:
    """A lot's facts with its composition and REO kg per element (as metal x factor);
    `fractions` caches each ppb text's fraction across the lots of one trace."""
    kg = kg_of(row.mass_mg)
    composition: dict[str, Decimal] = {}
    reo: dict[str, Decimal] = {}
    for pair in row.elements.split(",") if row.elements else ():
        element, ppb = pair.split("=")
        fraction = fractions.get(ppb)
        if fraction is None:
            fraction = fractions[ppb] = (Decimal(int(ppb)) / PPB).quantize(FRACTION_QUANTUM)
        composition[element] = fraction
        reo[element] = (kg * fraction * _FACTOR[element]).quantize(KG_QUANTUM, ROUND_HALF_EVEN)
    return {
        "type": "lot",
        "code": row.code,
        "product": row.product,
        "form": row.form,
        "producer": row.producer,
        "producer_name": row.producer_name_en or row.producer_name_zh,
        "mass_kg": kg,
        "made_at": moment(row.made_at),
        "composition": composition,
        "reo_kg": reo,
    }
