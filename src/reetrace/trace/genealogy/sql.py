"""The trace statement: the walk and everything shown of its lots, in one round trip.

A lot enters the walk once (a recursive UNION on the lot alone), so the walk is
linear in the lots it reaches and, cut by a LIMIT, keeps the nearest ones: both
databases evaluate a recursive UNION breadth first. What differs by engine is only
what the planners need (`Dialect`): PostgreSQL reads each lot's links by a fenced
LATERAL index lookup, because on a small table, or one without statistics yet, its
planner hash-joins a full scan of LotLink at every generation, and stops the walk
once `seen` is full; SQLite takes the LIMIT inside the recursion. Table names come
from the models' `_meta`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, Literal, NamedTuple, Protocol

from django.db.models import Model

from reetrace.ledger.models import (
    Correction,
    Event,
    ExportDeclaration,
    Lot,
    LotElement,
    LotLink,
    Origin,
    Receipt,
    Shipment,
)
from reetrace.registry.models import Enterprise, Product, Quota
from reetrace.trace.genealogy.rows import (
    BeyondRow,
    ExportRow,
    LinkRow,
    LotRow,
    OriginRow,
    ShipmentRow,
)

__all__ = ["Direction", "Statement", "link_rows_statement", "trace_statement"]

Direction = Literal["up", "down"]
# (the column toward the far end, the column at the near end) of a link, per direction
_STEP = {"up": ("parent_id", "child_id"), "down": ("child_id", "parent_id")}


class _Tables(NamedTuple):
    lot: str
    link: str
    element: str
    event: str
    correction: str
    shipment: str
    receipt: str
    export: str
    origin: str
    product: str
    enterprise: str
    quota: str


def _tables() -> _Tables:
    models: list[type[Model]] = [Lot, LotLink, LotElement, Event, Correction, Shipment]
    models += [Receipt, ExportDeclaration, Origin, Product, Enterprise, Quota]
    return _Tables(*(model._meta.db_table for model in models))


class Dialect(Protocol):
    """What the two engines need written differently."""

    concat: str  # the string-aggregate function

    def walk(self, t: _Tables, direction: Direction, *, bounded: bool) -> str:
        """`seen`: the lots reachable from %s (the root first), nearest generation first."""
        ...

    def each(self, table: str, alias: str, column: str, lots: str = "seen") -> str:
        """FROM clause: the rows of `table` whose `column` is a lot of `lots` (a CTE)."""
        ...


class SQLiteDialect:
    """SQLite's planner finds the index lookups by itself; the LIMIT goes in the walk."""

    concat = "group_concat"

    def walk(self, t: _Tables, direction: Direction, *, bounded: bool) -> str:
        far, near = _STEP[direction]
        return f"""
        WITH RECURSIVE walk(lot_id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT l.{far} FROM {t.link} l JOIN walk ON l.{near} = walk.lot_id
            WHERE {unvoided(t, "l")}
            {"LIMIT %s" if bounded else ""}
        ),
        seen AS MATERIALIZED (SELECT lot_id FROM walk)
        """

    def each(self, table: str, alias: str, column: str, lots: str = "seen") -> str:
        return f"{lots} JOIN {table} {alias} ON {alias}.{column} = {lots}.lot_id"


class PostgreSQLDialect:
    """One index lookup per lot whatever the statistics say (fenced LATERAL joins); the
    walk stops once `seen` is full."""

    concat = "string_agg"

    def walk(self, t: _Tables, direction: Direction, *, bounded: bool) -> str:
        far, near = _STEP[direction]
        return f"""
        WITH RECURSIVE walk(lot_id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT n.lot_id FROM walk CROSS JOIN LATERAL (
                SELECT l.{far} AS lot_id FROM {t.link} l
                WHERE l.{near} = walk.lot_id AND {unvoided(t, "l")}
                OFFSET 0
            ) n
        ),
        seen AS MATERIALIZED (SELECT lot_id FROM walk {"LIMIT %s" if bounded else ""})
        """

    def each(self, table: str, alias: str, column: str, lots: str = "seen") -> str:
        """Fenced again so the joins to small registry tables stay outside the per-lot loop."""
        return (
            f"(SELECT {alias}.* FROM {lots} CROSS JOIN LATERAL (SELECT * FROM {table} {alias} "
            f"WHERE {alias}.{column} = {lots}.lot_id OFFSET 0) {alias} OFFSET 0) {alias}"
        )


DIALECTS: dict[str, Dialect] = {"sqlite": SQLiteDialect(), "postgresql": PostgreSQLDialect()}


def unvoided(t: _Tables, alias: str) -> str:
    """The row's event was not voided: one probe of the correction's unique index per
    row. (A hashed `NOT IN (SELECT corrected_id ...)` hashed every correction of the
    ledger for each trace: 4,000 at medium scale, most of a small downstream trace.)"""
    return f"NOT EXISTS (SELECT 1 FROM {t.correction} c WHERE c.corrected_id = {alias}.event_id)"


def _links(d: Dialect, t: _Tables, direction: Direction) -> str:
    """`links`: every live link from a lot of `seen`, `inside` when its far end is seen too."""
    far, near = _STEP[direction]
    return f"""
        links AS MATERIALIZED (
            SELECT l.parent_id, l.child_id, l.kg, l.reo_kg, l.event_id, l.{near} AS near_id,
                   l.{far} IN (SELECT lot_id FROM seen) AS inside
            FROM {d.each(t.link, "l", near)}
            WHERE {unvoided(t, "l")}
        )"""


def _event(t: _Tables, column: str, alias: str) -> str:
    return f"(SELECT ev.{column} FROM {t.event} ev WHERE ev.id = {alias}.event_id)"


@dataclass(frozen=True)
class Statement:
    """SQL text and, per branch, how to read its rows as their row type."""

    sql: str
    readers: dict[int, Callable[[tuple], Any]]

    def read(self, rows: list[tuple]) -> list[Any]:
        readers = self.readers
        return [readers[row[0]](row) for row in rows]


@cache
def trace_statement(vendor: str, direction: Direction, *, bounded: bool) -> Statement:
    """The walk and everything the trace shows of its lots, in one statement."""
    d, t = DIALECTS[vendor], _tables()
    branches = [_lot_branch(d, t), _link_branch(t), _beyond_branch()]
    ctes = f"{d.walk(t, direction, bounded=bounded)}, {_links(d, t, direction)}"
    if direction == "down":
        branches += [_shipment_branch(d, t), _export_branch(d, t)]
    else:
        branches.append(_origin_branch(d, t))
        # lots with no live link upstream: where origin records can be
        ctes += """, roots AS MATERIALIZED (
            SELECT lot_id FROM seen WHERE lot_id NOT IN (SELECT near_id FROM links))"""
    union, readers = _union(branches)
    return Statement(f"{ctes}\n{union}", readers)


@cache
def link_rows_statement(
    vendor: str, direction: Direction, *, event_codes: bool, bounded: bool
) -> str:
    """The same walk answering only its links (the bare trace the benchmark compares)."""
    d, t = DIALECTS[vendor], _tables()
    event = _event(t, "event_id", "k") if event_codes else "k.event_id"
    return f"""
        {d.walk(t, direction, bounded=bounded)}, {_links(d, t, direction)}
        SELECT k.parent_id, k.child_id, k.kg, k.reo_kg, {event} FROM links k
        {"WHERE k.inside" if bounded else ""}
    """


# -- branches: each selects the fields of one row type -----------------------------
# The statement's columns are typed slots (PostgreSQL's UNION ALL needs one type per
# position): whole numbers, texts, one timestamp. A branch's fields fill the slots of
# their type in order; the reader picks them back out by name.
Slot = Literal["number", "text", "time"]
_SLOTS: tuple[Slot, ...] = ("number", "text", "time")
_NULL = {"number": "CAST(NULL AS BIGINT)", "text": "CAST(NULL AS TEXT)", "time": "NULL"}


@dataclass(frozen=True)
class _Branch:
    row: type[NamedTuple]
    fields: dict[str, tuple[Slot, str]]
    source: str


def _number(sql: str) -> tuple[Slot, str]:
    return "number", sql


def _text(sql: str) -> tuple[Slot, str]:
    return "text", sql


def _time(sql: str) -> tuple[Slot, str]:
    return "time", sql


def _union(branches: list[_Branch]) -> tuple[str, dict[int, Callable[[tuple], Any]]]:
    """The branches as one UNION ALL (kind first), and a reader per kind."""
    width = {
        slot: max(sum(1 for s, _ in b.fields.values() if s == slot) for b in branches)
        for slot in _SLOTS
    }
    start = {"number": 1, "text": 1 + width["number"]}
    start["time"] = start["text"] + width["text"]
    selects, readers = [], {}
    for kind, branch in enumerate(branches):
        if list(branch.fields) != list(branch.row._fields):
            raise TypeError(f"the branch of {branch.row.__name__} selects {list(branch.fields)}")
        columns = {slot: [_NULL[slot]] * width[slot] for slot in _SLOTS}
        used = {slot: 0 for slot in _SLOTS}
        positions = []
        for slot, sql in branch.fields.values():
            columns[slot][used[slot]] = sql
            positions.append(start[slot] + used[slot])
            used[slot] += 1
        values = [str(kind), *(sql for slot in _SLOTS for sql in columns[slot])]
        selects.append(f"SELECT {', '.join(values)} FROM {branch.source}")
        readers[kind] = _reader(branch.row, positions)
    return "\nUNION ALL\n".join(selects), readers


def _reader(row: type[NamedTuple], positions: list[int]) -> Callable[[tuple], Any]:
    pick = itemgetter(*positions)
    make = row._make
    return lambda values: make(pick(values))


def _lot_branch(d: Dialect, t: _Tables) -> _Branch:
    elements = f"""(SELECT {d.concat}(le.element || '=' || le.fraction, ',')
                    FROM {t.element} le WHERE le.lot_id = lot.id)"""
    made = f"(SELECT ev.event_time FROM {t.event} ev WHERE ev.id = lot.created_by_id)"
    fields = {
        "lot_id": _number("lot.id"),
        "mass_mg": _number("lot.mass_kg"),
        "code": _text("CAST(lot.code AS TEXT)"),
        "product": _text("p.code"),
        "form": _text("p.form"),
        "producer": _text("ent.identifier"),
        "producer_name_en": _text("ent.name_en"),
        "producer_name_zh": _text("ent.name_zh"),
        "elements": _text(elements),
        "made_at": _time(made),
    }
    source = f"""{d.each(t.lot, "lot", "id")}
                JOIN {t.product} p ON p.id = lot.product_id
                JOIN {t.enterprise} ent ON ent.id = lot.producer_id"""
    return _Branch(LotRow, fields, source)


def _link_branch(t: _Tables) -> _Branch:
    fields = {
        "parent_id": _number("k.parent_id"),
        "child_id": _number("k.child_id"),
        "kg_mg": _number("k.kg"),
        "reo_kg": _text("CAST(k.reo_kg AS TEXT)"),
        "event_id": _text(_event(t, "event_id", "k")),
    }
    return _Branch(LinkRow, fields, "links k WHERE k.inside")


def _beyond_branch() -> _Branch:
    fields = {"lot_id": _number("k.near_id"), "links": _number("COUNT(*)")}
    return _Branch(BeyondRow, fields, "links k WHERE NOT k.inside GROUP BY k.near_id")


def _shipment_branch(d: Dialect, t: _Tables) -> _Branch:
    received = f"""(SELECT CAST(COALESCE(SUM(r.kg), 0) AS BIGINT) FROM {t.receipt} r
                    WHERE r.shipment_id = s.id AND {unvoided(t, "r")})"""
    fields = {
        "lot_id": _number("s.lot_id"),
        "received_mg": _number(received),
        "mass_mg": _number("s.kg"),
        "event_id": _text(_event(t, "event_id", "s")),
        "buyer": _text("buyer.identifier"),
        "buyer_name_en": _text("buyer.name_en"),
        "buyer_name_zh": _text("buyer.name_zh"),
        "seller": _text("seller.identifier"),
        "shipped_at": _time(_event(t, "event_time", "s")),
    }
    source = f"""{d.each(t.shipment, "s", "lot_id")}
                JOIN {t.enterprise} buyer ON buyer.id = s.buyer_id
                JOIN {t.enterprise} seller ON seller.id = s.seller_id
                WHERE {unvoided(t, "s")}"""
    return _Branch(ShipmentRow, fields, source)


def _export_branch(d: Dialect, t: _Tables) -> _Branch:
    fields = {
        "lot_id": _number("x.lot_id"),
        "mass_mg": _number("x.kg"),
        "event_id": _text(_event(t, "event_id", "x")),
        "declaration": _text("x.customs_declaration"),
        "destination": _text("x.destination"),
        "consignee": _text("x.consignee"),
        "end_user": _text("x.end_user"),
        "hs_code": _text("x.hs_code"),
        "licence": _text("x.licence_number"),
        "exporter": _text("exporter.identifier"),
        "exported_at": _time(_event(t, "event_time", "x")),
    }
    source = f"""{d.each(t.export, "x", "lot_id")}
                JOIN {t.enterprise} exporter ON exporter.id = x.exporter_id
                WHERE {unvoided(t, "x")}"""
    return _Branch(ExportRow, fields, source)


def _origin_branch(d: Dialect, t: _Tables) -> _Branch:
    fields = {
        "lot_id": _number("o.lot_id"),
        "event_id": _text(_event(t, "event_id", "o")),
        "kind": _text(_event(t, "kind", "o")),
        "quota": _text(f"(SELECT q.code FROM {t.quota} q WHERE q.id = o.quota_id)"),
        "country": _text("o.origin_country"),
        "declaration": _text("o.customs_declaration"),
        "source": _text("o.source"),
    }
    return _Branch(OriginRow, fields, d.each(t.origin, "o", "lot_id", lots="roots"))
