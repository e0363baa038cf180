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
* unexplained: the gap minus all of the above, so the identity holds by
  construction and nothing is rounded away.

The moving parts (timing, classification, transit) only ever move what the data
shows on both sides: a partner file that mirrors our exports gives zero parts.
Moved kg carry the unit value of the cell they leave, so each move sums to zero
in value as in kg.
"""

from __future__ import annotations

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
    ours: Iterable[OurLine], theirs: Iterable[TheirLine], params: Params
) -> list[CellResult]:
    """Every cell of either series with its gap split into PARTS (sum = gap, exactly)."""
    ours = list(ours)
    cells = _aggregate(ours, theirs)
    for result in cells.values():
        _conversions(result, params)
    residual = {c: r.theirs_kg - r.parts_kg["units"] - r.ours_kg for c, r in cells.items()}
    moves = _timing_moves(ours, residual)
    _apply(moves, residual)
    moves += _classification_moves(residual, params)
    moves += _transit_moves(residual, params)
    _attribute(moves, cells)
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


def _apply(moves: list[Move], residual: dict[Cell, Decimal]) -> None:
    for move in moves:
        residual[move.origin] = residual.get(move.origin, ZERO) + move.kg
        residual[move.dest] = residual.get(move.dest, ZERO) - move.kg


def _attribute(moves: list[Move], cells: dict[Cell, CellResult]) -> None:
    """A move takes kg (and their value) from the origin cell's our-side to the dest's."""
    unit_values = {c: r.unit_value() for c, r in cells.items()}
    for move in moves:
        value = (move.kg * unit_values[move.origin]).quantize(VALUE_Q, ROUND_HALF_EVEN)
        for cell, sign in ((move.origin, -1), (move.dest, 1)):
            result = cells[cell]
            result.parts_kg[move.part] += sign * move.kg
            result.parts_value[move.part] += sign * value


def _close(result: CellResult) -> None:
    explained_kg = sum(v for k, v in result.parts_kg.items() if k != "unexplained")
    explained_value = sum(v for k, v in result.parts_value.items() if k != "unexplained")
    result.parts_kg["unexplained"] = result.gap_kg - explained_kg
    result.parts_value["unexplained"] = result.gap_value - explained_value


# -- timing ---------------------------------------------------------------------------


def _timing_moves(ours: list[OurLine], residual: dict[Cell, Decimal]) -> list[Move]:
    """Per product and country, carry each month's deficit forward to later surpluses.

    A boundary between month m and m+1 can carry at most the kg that the lag model
    puts in transit across it (declared in m or before, arriving after m). Goods are
    fungible within a series, so a deficit may cross several boundaries, each
    within its own capacity (January's goods arrive in February while February's
    arrive in March).
    """
    capacity: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for line in ours:
        key = (line.product, line.country)
        for step in range(months_between(line.month, line.arrival)):
            boundary = month_add(line.month, step)
            capacity[key][boundary] = capacity[key].get(boundary, ZERO) + line.kg
    series: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cell in residual:
        series[(cell.product, cell.country)].append(cell.month)
    moves: list[Move] = []
    for key, months in series.items():
        if capacity[key]:
            moves += _carry_series(key, min(months), max(months), residual, capacity[key])
    return moves


def _carry_series(key, first, last, residual, capacity) -> list[Move]:
    product, country = key
    stack: list[list] = []  # [origin month, kg], latest on top
    moves: list[Move] = []
    month = first
    while month <= last:
        r = residual.get(Cell(product, country, month), ZERO)
        while r > 0 and stack:
            origin, kg = stack[-1]
            take = min(kg, r)
            moves.append(
                Move("timing", Cell(product, country, origin), Cell(product, country, month), take)
            )
            r -= take
            stack[-1][1] -= take
            if not stack[-1][1]:
                stack.pop()
        if r < 0:
            stack.append([month, -r])
        month = month_add(month, 1)
        stack = _within(stack, capacity.get(month_add(month, -1), ZERO))
    return moves


def _within(stack: list[list], capacity: Decimal) -> list[list]:
    """The deficits that may cross the next boundary: latest first, up to its capacity."""
    kept: list[list] = []
    room = capacity
    for origin, kg in reversed(stack):
        if room <= 0:
            break
        kept.append([origin, min(kg, room)])
        room -= kept[-1][1]
    return list(reversed(kept))


# -- classification and transit: shifts between cells of the same month ---------------


def _split(total: Decimal, weights: dict[Cell, Decimal]) -> dict[Cell, Decimal]:
    """`total` in proportion to `weights`, quantized, the rounding left on the largest."""
    whole = sum(weights.values())
    shares = {c: (total * w / whole).quantize(KG_Q, ROUND_HALF_EVEN) for c, w in weights.items()}
    largest = max(weights, key=lambda c: (weights[c], c))
    shares[largest] += total - sum(shares.values())
    return {c: s for c, s in shares.items() if s}


def _shift(part: str, deficits: dict[Cell, Decimal], surpluses: dict[Cell, Decimal]) -> list:
    """Move min(total deficit, total surplus) from deficit cells to surplus cells."""
    volume = min(sum(deficits.values(), ZERO), sum(surpluses.values(), ZERO))
    if volume <= 0:
        return []
    moves = []
    for origin, out in _split(volume, deficits).items():
        for dest, kg in _split(out, surpluses).items():
            moves.append(Move(part, origin, dest, kg))
    return moves


def _classification_moves(residual: dict[Cell, Decimal], params: Params) -> list[Move]:
    """In each country and month, a deficit under `from` fills surpluses under `to`."""
    moves: list[Move] = []
    slots = sorted({(c.country, c.month) for c in residual})
    for source, targets in params.classification:
        for country, month in slots:
            origin = Cell(source, country, month)
            deficit = -residual.get(origin, ZERO)
            surpluses = {
                Cell(t, country, month): residual.get(Cell(t, country, month), ZERO)
                for t in targets
            }
            surpluses = {c: v for c, v in surpluses.items() if v > 0}
            if deficit > 0 and surpluses:
                found = _shift("classification", {origin: deficit}, surpluses)
                _apply(found, residual)
                moves += found
    return moves


def _transit_moves(residual: dict[Cell, Decimal], params: Params) -> list[Move]:
    """In each product and month, deficits of member states fill other members' surpluses."""
    groups: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for cell in residual:
        area = params.area_of(cell.country)
        if area:
            groups[(area, cell.product, cell.month)].append(cell)
    moves: list[Move] = []
    for key in sorted(groups):
        members = groups[key]
        deficits = {c: -residual[c] for c in members if residual[c] < 0}
        surpluses = {c: residual[c] for c in members if residual[c] > 0}
        if deficits and surpluses:
            found = _shift("transit", deficits, surpluses)
            _apply(found, residual)
            moves += found
    return moves
