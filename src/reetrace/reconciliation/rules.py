"""Mirror comparison and gap decomposition: pure functions over dataclasses, no ORM.

A cell is (product, partner country, month). Per cell the gap is *theirs - ours*
(the partner's imports minus our exports), in kg and in value, and it is split
into parts that sum to it exactly:

* units: the partner's gross-weight kg minus their net equivalent (kg only);
* valuation: the partner's CIF value minus its FOB equivalent (value only);
* timing: our exports moved from their declaration month to a later month in
  which the partner shows a surplus, within the capacity the shipping lag allows;
* classification: a deficit under one line moved to the partner's surplus under a
  line our goods are known to be declared under (magnets as alloys);
* transit: a deficit in one member state of an area moved to surpluses in others;
  the three moving parts are found together as one minimum-cost flow, so goods
  lagged *and* recorded by a neighbour (or under another line) are explained;
* unexplained: the gap minus all of the above, so the identity holds by
  construction and nothing is rounded away.

The moving parts (timing, classification, transit) only ever move what the data
shows on both sides: a partner file that mirrors our exports gives zero parts.
Moved kg carry the unit value of the cell they leave, so each move sums to zero
in value as in kg.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = [
    "PARTS",
    "Cell",
    "CellResult",
    "Move",
    "OurLine",
    "Params",
    "TheirLine",
    "arrival_month",
    "decompose",
    "month_add",
]

PARTS = ("timing", "valuation", "transit", "classification", "units", "unexplained")
KG_Q = Decimal("0.000001")
VALUE_Q = Decimal("0.01")
ZERO = Decimal(0)


def month_add(month: str, n: int) -> str:
    """'2025-12' + 1 -> '2026-01'."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(start: str, end: str) -> int:
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7])


def arrival_month(day_iso: str, lag_days: int) -> str:
    """The month a shipment declared on `day_iso` (China date) reaches the partner."""
    arrival = date.fromisoformat(day_iso) + timedelta(days=lag_days)
    return f"{arrival:%Y-%m}"


@dataclass(frozen=True, order=True)
class Cell:
    product: str
    country: str
    month: str


@dataclass(frozen=True)
class OurLine:
    """One export declaration, already keyed; `arrival` is the lag model's month."""

    product: str
    country: str
    month: str
    arrival: str
    kg: Decimal
    value: Decimal
    exporter: str = ""

    @property
    def cell(self) -> Cell:
        return Cell(self.product, self.country, self.month)


@dataclass(frozen=True)
class TheirLine:
    """One partner record: kg as reported (gross or net), value as reported (CIF or FOB)."""

    product: str
    country: str
    month: str
    kg: Decimal
    value: Decimal
    gross: bool = False
    cif: bool = True

    @property
    def cell(self) -> Cell:
        return Cell(self.product, self.country, self.month)


@dataclass(frozen=True)
class Params:
    """The decomposition's parameters, already resolved from the TOML config."""

    cif_uplift: Mapping[str, Decimal]
    gross_to_net: Mapping[str, Decimal]
    product_group: Mapping[str, str] = field(default_factory=dict)
    classification: tuple[tuple[str, tuple[str, ...]], ...] = ()
    transit_areas: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def area_of(self, country: str) -> str | None:
        return next((a for a, members in self.transit_areas.items() if country in members), None)

    def uplift(self, country: str) -> Decimal:
        for key in (country, self.area_of(country)):
            if key and key in self.cif_uplift:
                return self.cif_uplift[key]
        return self.cif_uplift.get("default", Decimal(1))

    def gross_factor(self, product: str) -> Decimal:
        for key in (product, self.product_group.get(product)):
            if key and key in self.gross_to_net:
                return self.gross_to_net[key]
        return self.gross_to_net.get("default", Decimal(1))


@dataclass(frozen=True)
class Move:
    """Kg of our exports attributed to another cell than the one we declared."""

    part: str
    origin: Cell
    dest: Cell
    kg: Decimal


@dataclass
class CellResult:
    cell: Cell
    ours_kg: Decimal = ZERO
    ours_value: Decimal = ZERO
    theirs_kg: Decimal = ZERO
    theirs_value: Decimal = ZERO
    gross_kg: Decimal = ZERO
    cif_value: Decimal = ZERO
    exporters: set[str] = field(default_factory=set)
    parts_kg: dict[str, Decimal] = field(default_factory=dict)
    parts_value: dict[str, Decimal] = field(default_factory=dict)

    @property
    def gap_kg(self) -> Decimal:
        return self.theirs_kg - self.ours_kg

    @property
    def gap_value(self) -> Decimal:
        return self.theirs_value - self.ours_value

    def unit_value(self) -> Decimal:
        """Value per kg of the goods in this cell: ours, else the partner's FOB equivalent."""
        if self.ours_kg:
            return self.ours_value / self.ours_kg
        kg = self.theirs_kg - self.parts_kg.get("units", ZERO)
        return (self.theirs_value - self.parts_value.get("valuation", ZERO)) / kg if kg else ZERO


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def decompose(
    ours: Iterable[OurLine],
    theirs: Iterable[TheirLine],
    params: Params,
    *,
    horizon: str | None = None,
) -> list[CellResult]:
    """Every cell of either series with its gap split into PARTS (sum = gap, exactly).

    `horizon`: the last month the partner series was read to, when it was cut there.
    Our goods the lag model has arriving after it are carried out of the comparison
    as timing (into cells after the horizon), rather than paired with whatever
    surplus is at hand.
    """
    ours = list(ours)
    cells = _aggregate(ours, theirs)
    for result in cells.values():
        _conversions(result, params)
    residual = {c: r.theirs_kg - r.parts_kg["units"] - r.ours_kg for c, r in cells.items()}
    paths = _flow_paths(residual, _capacity(ours), params, horizon)
    _attribute(paths, cells)
    for result in cells.values():
        _close(result)
    return [cells[c] for c in sorted(cells)]


def _aggregate(ours: list[OurLine], theirs: Iterable[TheirLine]) -> dict[Cell, CellResult]:
    cells: dict[Cell, CellResult] = {}
    for line in ours:
        result = cells.setdefault(line.cell, CellResult(line.cell))
        result.ours_kg += line.kg
        result.ours_value += line.value
        result.exporters.add(line.exporter)
    for line in theirs:
        result = cells.setdefault(line.cell, CellResult(line.cell))
        result.theirs_kg += line.kg
        result.theirs_value += line.value
        result.gross_kg += line.kg if line.gross else ZERO
        result.cif_value += line.value if line.cif else ZERO
    return cells


def _conversions(result: CellResult, params: Params) -> None:
    """The definitional parts: gross -> net weight and CIF -> FOB value."""
    factor = params.gross_factor(result.cell.product)
    uplift = params.uplift(result.cell.country)
    units = (result.gross_kg - result.gross_kg / factor).quantize(KG_Q, ROUND_HALF_EVEN)
    valuation = (result.cif_value - result.cif_value / uplift).quantize(VALUE_Q, ROUND_HALF_EVEN)
    result.parts_kg = {part: ZERO for part in PARTS} | {"units": units}
    result.parts_value = {part: ZERO for part in PARTS} | {"valuation": valuation}


def _attribute(paths: list[list[Move]], cells: dict[Cell, CellResult]) -> None:
    """A move takes kg (and their value) from the origin cell's our-side to the dest's.

    Every move of one path carries the unit value of the cell the path starts from
    (the goods declared there), so a path through several cells leaves no value behind.
    """
    unit_values = {c: r.unit_value() for c, r in cells.items()}
    for path in paths:
        unit_value = unit_values[path[0].origin]
        for move in path:
            value = (move.kg * unit_value).quantize(VALUE_Q, ROUND_HALF_EVEN)
            for cell, sign in ((move.origin, -1), (move.dest, 1)):
                result = cells.get(cell) or cells.setdefault(cell, _passing(cell))
                result.parts_kg[move.part] += sign * move.kg
                result.parts_value[move.part] += sign * value


def _passing(cell: Cell) -> CellResult:
    """A month in which neither series has the goods, which a path passes through
    (lagged there, then recorded by a neighbour or under another line)."""
    result = CellResult(cell)
    result.parts_kg = {part: ZERO for part in PARTS}
    result.parts_value = {part: ZERO for part in PARTS}
    return result


def _close(result: CellResult) -> None:
    explained_kg = sum(v for k, v in result.parts_kg.items() if k != "unexplained")
    explained_value = sum(v for k, v in result.parts_value.items() if k != "unexplained")
    result.parts_kg["unexplained"] = result.gap_kg - explained_kg
    result.parts_value["unexplained"] = result.gap_value - explained_value


# -- timing, classification and transit: one minimum-cost flow ------------------------
#
# Each cell's residual (the gap after units) is a deficit (our goods not seen) or a
# surplus (goods the partner saw that we did not declare there). The moving parts
# carry deficits to surpluses along three kinds of step:
#
# * timing: (product, country, m) -> (product, country, m+1), at most the kg the lag
#   model puts in transit across that month boundary (`timing.lag_days`);
# * classification: (from, country, m) -> (to, country, m) for each rule;
# * transit: (product, member, m) -> (product, other member, m) inside an area.
#
# As many kg as possible are carried (the unexplained remainder is the smallest the
# data allows), and of all ways to carry them the cheapest is taken: a month of timing
# costs TIMING_COST, a classification or transit step SHIFT_COST, less a little the
# later the month it happens in. So goods are explained by timing alone when timing
# can explain them, a shift is used only where the data needs one, and goods lagged
# and then recorded by a neighbour (or under another line) are shown as lagged in the
# declared country and shifted in the month they arrive.

TIMING_COST = 2
SHIFT_COST = 1_000_000
SCALE = 6  # kg as integers of KG_Q (10**-6 kg)


def _units(kg: Decimal) -> int:
    return int(kg.scaleb(SCALE).to_integral_value(ROUND_HALF_EVEN))


def _capacity(ours: list[OurLine]) -> dict[tuple[str, str], dict[str, int]]:
    """Per product and country, kg the lag model puts across each month boundary
    (the key is the month before the boundary)."""
    capacity: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for line in ours:
        key = (line.product, line.country)
        for step in range(months_between(line.month, line.arrival)):
            boundary = month_add(line.month, step)
            capacity[key][boundary] = capacity[key].get(boundary, 0) + _units(line.kg)
    return capacity


class _Network:
    """Successive shortest paths (Dijkstra with potentials) on integer capacities."""

    def __init__(self):
        self.nodes: list = []
        self.index: dict = {}
        self.arcs: list[list] = []  # [to, capacity, cost, reverse arc, kind]
        self.out: list[list[int]] = []

    def node(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(key)
            self.out.append([])
        return self.index[key]

    def arc(self, a, b, capacity: int, cost: int, kind: str | None) -> None:
        i, j = self.node(a), self.node(b)
        forward, backward = len(self.arcs), len(self.arcs) + 1
        self.arcs.append([j, capacity, cost, backward, kind, i])
        self.arcs.append([i, 0, -cost, forward, None, j])
        self.out[i].append(forward)
        self.out[j].append(backward)

    def run(self, source, sink) -> None:
        s, t = self.node(source), self.node(sink)
        size = len(self.nodes)
        potential = [0] * size
        while True:
            dist: list = [None] * size
            via = [-1] * size
            dist[s] = 0
            heap = [(0, s)]
            done = [False] * size
            while heap:
                d, u = heapq.heappop(heap)
                if done[u]:
                    continue
                done[u] = True
                if u == t:
                    break
                for a in self.out[u]:
                    to, cap, cost = self.arcs[a][0], self.arcs[a][1], self.arcs[a][2]
                    if cap <= 0 or done[to]:
                        continue
                    nd = d + cost + potential[u] - potential[to]
                    if dist[to] is None or nd < dist[to]:
                        dist[to], via[to] = nd, a
                        heapq.heappush(heap, (nd, to))
            if dist[t] is None:
                return
            # Nodes settled keep their distance, the rest take the sink's: reduced
            # costs stay non-negative (Dijkstra stopped at the sink).
            reach = dist[t]
            for v in range(size):
                potential[v] += dist[v] if done[v] else reach
            push, v = None, t
            while v != s:
                a = via[v]
                push = self.arcs[a][1] if push is None else min(push, self.arcs[a][1])
                v = self.arcs[a][5]
            v = t
            while v != s:
                a = via[v]
                self.arcs[a][1] -= push
                self.arcs[self.arcs[a][3]][1] += push
                v = self.arcs[a][5]

    def flows(self) -> dict[int, list[list]]:
        """Node -> [[arc, flow]] over the arcs that carry flow (their reverse's capacity)."""
        found: dict[int, list[list]] = defaultdict(list)
        for i in range(0, len(self.arcs), 2):
            flow = self.arcs[i + 1][1]
            if flow > 0:
                found[self.arcs[i][5]].append([i, flow])
        return found


def _flow_paths(
    residual: dict[Cell, Decimal], capacity: dict, params: Params, horizon: str | None
) -> list[list[Move]]:
    """The moving parts as paths: each a list of moves carrying the same kg."""
    if not any(v < 0 for v in residual.values()):
        return []
    if horizon is None and not any(v > 0 for v in residual.values()):
        return []
    net = _Network()
    source, sink = ("source",), ("sink",)
    nodes = set(residual)
    series = {(cell.product, cell.country) for cell in residual}
    beyond: set[Cell] = set()
    for (product, country), boundaries in sorted(capacity.items()):
        if (product, country) not in series:
            continue
        for boundary, kg in sorted(boundaries.items()):
            if kg > 0:
                a = Cell(product, country, boundary)
                b = Cell(product, country, month_add(boundary, 1))
                nodes |= {a, b}
                net.arc(a, b, kg, TIMING_COST, "timing")
                if horizon is not None and b.month > horizon >= a.month:
                    beyond.add(b)
    months = sorted({c.month for c in nodes})
    later = {m: len(months) - i for i, m in enumerate(months)}
    unlimited = sum(-v for v in residual.values() if v < 0)
    total = _units(unlimited)
    by_slot: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cell in nodes:
        by_slot[(cell.country, cell.month)].add(cell.product)
    for source_product, targets in params.classification:
        for (country, month), products in sorted(by_slot.items()):
            if source_product not in products:
                continue
            for target in targets:
                if target in products and target != source_product:
                    net.arc(
                        Cell(source_product, country, month),
                        Cell(target, country, month),
                        total,
                        SHIFT_COST + later[month],
                        "classification",
                    )
    for cell in sorted(nodes):
        area = params.area_of(cell.country)
        if area and cell not in beyond:
            hub = ("hub", area, cell.product, cell.month)
            net.arc(cell, hub, total, SHIFT_COST + later[cell.month], "transit")
            net.arc(hub, cell, total, 0, "transit")
    for cell in sorted(residual):
        if residual[cell] < 0:
            net.arc(source, cell, _units(-residual[cell]), 0, None)
        elif residual[cell] > 0:
            net.arc(cell, sink, _units(residual[cell]), 0, None)
    for cell in sorted(beyond):
        net.arc(cell, sink, total, 0, None)
    net.run(source, sink)
    return _paths(net, source, sink)


def _paths(net: _Network, source, sink) -> list[list[Move]]:
    flows = net.flows()
    s, t = net.index[source], net.index[sink]
    paths = []
    while flows.get(s):
        node, steps = s, []
        while node != t:
            step = flows[node][0]
            steps.append(step)
            node = net.arcs[step[0]][0]
        push = min(flow for _, flow in steps)
        for step in steps:
            step[1] -= push
            if not step[1]:
                tail = net.arcs[step[0]][5]
                flows[tail] = [other for other in flows[tail] if other[1] > 0]
        paths.append(_moves(net, [net.arcs[a] for a, _ in steps], push))
    return paths


def _moves(net: _Network, arcs: list[list], units: int) -> list[Move]:
    """Arcs of one path as moves: a transit through its hub is one move, and
    consecutive timing steps are one move from the first month to the last."""
    kg = Decimal(units).scaleb(-SCALE)
    moves: list[Move] = []
    start = None
    for to, _cap, _cost, _rev, kind, origin in arcs:
        here, there = net.nodes[origin], net.nodes[to]
        if kind is None:
            continue
        if isinstance(there, tuple):  # into a transit hub
            start = here
            continue
        if isinstance(here, tuple):  # out of it
            here, start = start, None
        if moves and kind == "timing" and moves[-1].part == "timing":
            moves[-1] = Move("timing", moves[-1].origin, there, kg)
        else:
            moves.append(Move(kind, here, there, kg))
    return moves
