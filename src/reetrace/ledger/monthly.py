"""The monthly flow summary (`MonthlyFlow`): postings summed per holder, month, flow and element.

Capture adds each batch's postings in the same transaction as the postings
themselves (`flows_add`, called from `capture.session.plans_write`), so the summary
can never disagree with the ledger: a void's reversal postings subtract exactly
what the original added, a replacement adds its own. `flows_rebuild` computes
it from the postings alone (the migration that introduced it; a repair).

Metal per posting and element is kg x mass fraction, in integer micrograms,
rounded half away from zero so a posting and its reversal cancel exactly. In
the database kg are integer mg and fractions integer ppb; their product can
exceed 64 bits (a 47,000 t lot at 30 %), so it is taken exactly: Python
integers at capture, NUMERIC on PostgreSQL in the rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.db import connection as default_connection

from reetrace.core.quantities import fraction_to_ppb, kg_to_mg

if TYPE_CHECKING:  # the capture package imports this module
    from reetrace.ledger.capture.state import PostingSpec

__all__ = [
    "event_chunks",
    "flows_add",
    "flows_compare",
    "flows_rebuild",
    "metal_ug",
    "summary_difference",
    "summary_replace",
    "summary_upsert",
]

MG_PPB_PER_UG = 1_000_000  # mg x ppb = 1e-15 kg; a microgram is 1e-9 kg
_TABLE = "ledger_monthlyflow"
_KEY = ("holder_id", "period", "bucket", "flow", "element")
_TYPES = ("bigint", "date", "varchar", "varchar", "varchar")
_MAX_PARAMETERS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535
_EVENTS_PER_CHUNK = 10_000

Key = tuple[int, object, str, str, str]


def metal_ug(kg_mg: int, ppb: int) -> int:
    """Micrograms of an element in `kg_mg` of a lot holding `ppb` of it (half away from 0)."""
    whole, rest = divmod(abs(kg_mg) * ppb, MG_PPB_PER_UG)
    micrograms = whole + (2 * rest >= MG_PPB_PER_UG)
    return -micrograms if kg_mg < 0 else micrograms


def flows_add(postings: Iterable[PostingSpec]) -> None:
    """Add a batch's postings to the summary (one upsert per holder, month, flow, element)."""
    deltas: dict[Key, int] = defaultdict(int)
    compositions: dict[int, list[tuple[str, int]]] = {}
    for spec in postings:
        lot = spec.lot
        parts = compositions.get(id(lot))
        if parts is None:
            parts = [(element, fraction_to_ppb(f)) for element, f in lot.composition.items()]
            compositions[id(lot)] = parts
        kg_mg = kg_to_mg(spec.kg)
        for element, ppb in parts:
            key = (spec.holder.pk, spec.period, spec.bucket, spec.flow, element)
            deltas[key] += metal_ug(kg_mg, ppb)
    _upsert(default_connection, [(*key, deltas[key]) for key in sorted(deltas)])


def summary_upsert(
    connection, table: str, key: tuple[str, ...], types: tuple[str, ...], value: str, rows: list
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding each row's `value` to the stored one
    (the derived summaries' one write: this one and `movements.py`'s).

    PostgreSQL takes the rows as one array per column (one short statement however
    many rows: a statement with thousands of placeholders costs more to build than
    to run); SQLite takes multi-row VALUES.
    """
    if not rows:
        return
    insert = f"INSERT INTO {table} ({', '.join((*key, value))}) "  # noqa: S608 (fixed names)
    add = (
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE "
        f"SET {value} = {table}.{value} + excluded.{value}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for kind in (*types, "bigint"))
            cursor.execute(
                insert + f"SELECT * FROM unnest({arrays})" + add,
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        mark = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
        per_statement = _MAX_PARAMETERS // (len(key) + 1)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                insert + "VALUES " + ", ".join([mark] * len(chunk)) + add,
                [v for row in chunk for v in row],
            )


def event_chunks(keys: list[int]) -> Iterator[tuple[str, list[int]]]:
    """(`e.id IN (...)` condition, its parameters) over the event keys, a chunk at a time
    well below both databases' parameter limits: how the summaries derived from the
    rows of given events (`movements.py`, `monthly_exports.py`) select them."""
    for start in range(0, len(keys), _EVENTS_PER_CHUNK):
        chunk = keys[start : start + _EVENTS_PER_CHUNK]
        yield "e.id IN (" + ", ".join(["%s"] * len(chunk)) + ")", chunk


def summary_replace(
    connection, table: str, key: tuple[str, ...], types: tuple[str, ...], value: str, totals: dict
) -> None:
    """Replace a derived summary by `totals` (key tuple -> value; zeros left out)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed name)
    rows = [(*k, v) for k, v in sorted(totals.items()) if v]
    summary_upsert(connection, table, key, types, value, rows)


def summary_difference(
    connection, table: str, key: tuple[str, ...], value: str, derived: dict
) -> tuple[tuple, object, object] | None:
    """The first key (in key order) where the stored summary and `derived` differ, with
    the stored value (None: no row) and the derived one; a missing row counts as 0, so a
    row left at 0 by voids is no difference."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(key)}, {value} FROM {table}")  # noqa: S608
        stored = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
    differ = sorted(k for k in set(derived) | set(stored) if stored.get(k, 0) != derived.get(k, 0))
    if not differ:
        return None
    return differ[0], stored.get(differ[0]), derived.get(differ[0], 0)


def _upsert(connection, rows: list[tuple]) -> None:
    summary_upsert(connection, _TABLE, _KEY, _TYPES, "metal_ug", rows)


_DERIVED_POSTGRESQL = f"""
SELECT p.holder_id, p.period, p.bucket, p.flow, e.element,
       SUM(SIGN(p.kg) * (DIV(ABS(p.kg)::numeric * e.fraction, {MG_PPB_PER_UG})
           + CASE WHEN 2 * MOD(ABS(p.kg)::numeric * e.fraction, {MG_PPB_PER_UG})
                       >= {MG_PPB_PER_UG} THEN 1 ELSE 0 END))::bigint AS metal
FROM ledger_posting p JOIN ledger_lotelement e ON e.lot_id = p.lot_id
GROUP BY p.holder_id, p.period, p.bucket, p.flow, e.element
"""  # noqa: S608 (fixed names)
_REBUILD_POSTGRESQL = (
    f"INSERT INTO {_TABLE} ({', '.join((*_KEY, 'metal_ug'))}) {_DERIVED_POSTGRESQL}"
)

_POSTINGS = (
    "SELECT p.holder_id, p.period, p.bucket, p.flow, e.element, p.kg, e.fraction "
    "FROM ledger_posting p JOIN ledger_lotelement e ON e.lot_id = p.lot_id"
)


def _totals_from_postings(cursor) -> dict[Key, int]:
    cursor.execute(_POSTINGS)
    totals: dict[Key, int] = defaultdict(int)
    while rows := cursor.fetchmany(10_000):
        for holder, period, bucket, flow, element, kg_mg, ppb in rows:
            totals[(holder, period, bucket, flow, element)] += metal_ug(kg_mg, ppb)
    return totals


def flows_rebuild(connection=default_connection) -> None:
    """Replace the summary by the sum of all postings (raw SQL: safe in a migration).

    PostgreSQL sums in one statement with exact NUMERIC arithmetic; SQLite has
    no exact type wide enough, so its rows are summed here with `metal_ug`.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608 (fixed name)
        if connection.vendor == "postgresql":
            cursor.execute(_REBUILD_POSTGRESQL)
            return
        totals = _totals_from_postings(cursor)
    _upsert(connection, [(*key, metal) for key, metal in sorted(totals.items())])


_COMPARE_POSTGRESQL = f"""
WITH d AS ({_DERIVED_POSTGRESQL})
SELECT COALESCE(d.holder_id, s.holder_id), COALESCE(d.period, s.period),
       COALESCE(d.bucket, s.bucket), COALESCE(d.flow, s.flow),
       COALESCE(d.element, s.element), s.metal_ug, d.metal
FROM d FULL OUTER JOIN {_TABLE} s
  ON (s.holder_id, s.period, s.bucket, s.flow, s.element)
   = (d.holder_id, d.period, d.bucket, d.flow, d.element)
WHERE COALESCE(s.metal_ug, 0) <> COALESCE(d.metal, 0)
ORDER BY 1, 2, 3, 4, 5
LIMIT 1
"""  # noqa: S608 (fixed names)


def flows_compare(connection=default_connection) -> tuple[str, str] | None:
    """The first summary row that the postings do not give (field, what differs), if any.

    A summary row may be 0 where every posting was reversed; a missing row is 0.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_COMPARE_POSTGRESQL)
            row = cursor.fetchone()
            if row is None:
                return None
            *key, stored, derived = row
        else:
            derived_totals = _totals_from_postings(cursor)
            cursor.execute(f"SELECT {', '.join(_KEY)}, metal_ug FROM {_TABLE}")  # noqa: S608
            stored_totals = {tuple(r[:-1]): r[-1] for r in cursor.fetchall()}
            keys = sorted(
                k
                for k in set(derived_totals) | set(stored_totals)
                if stored_totals.get(k, 0) != derived_totals.get(k, 0)
            )
            if not keys:
                return None
            key = list(keys[0])
            stored, derived = stored_totals.get(keys[0]), derived_totals.get(keys[0])
    holder, period, bucket, flow, element = key
    return (
        "metal_ug",
        f"holder {holder}, {period}, {bucket}/{flow}, {element}: the summary holds "
        f"{'no row' if stored is None else f'{stored} µg'}, the postings give "
        f"{0 if derived is None else derived} µg",
    )
