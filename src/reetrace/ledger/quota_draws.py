"""The quota draw summary (`QuotaDraw`): metal per quota, element and source drawn on
the quota by the events in force: the REO the quota table shows.

The quota table (`compliance.selectors.quota_use`, the national overview) shows each
quota's use for the year. Summed from the ledger on every view, that is every mining
origin under the year's quotas and every input posting of their separation runs, each
joined to its lot's elements: 130,000 rows and half a second at medium scale, growing
with the year. The quota check (`compliance/checks/quotas.py`) still accumulates event
by event, because it names the event a quota was crossed with; the table needs only
the totals, and `tests/compliance/test_quota_totals.py` holds the two to each other.

What counts is the check's: a mining origin's lot (mass x fraction) under the origin's
quota while its event is in force; a separation run's consumed stock postings under the
run's quota, its recycled inputs left out (see `DatabaseSource.separated_metal`), the
reversal postings of a correction counted under the corrected run's quota, so a voided
run nets to zero. Capture moves the summary in the batch transaction (`draws_add`, from
`capture.session.plans_write`): postings are never removed, so a batch adds its own; an
origin stops counting when its event is voided, so a batch takes back the origins of
the events it voided. `draws_rebuild` derives it from the ledger alone (its migration),
`draws_compare` (verify_chain) checks it. Metal is integer micrograms per row, rounded
half away from zero (`monthly.metal_ug`), so the sums are exact on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db import connection as default_connection

from reetrace.ledger.choices import Bucket, EventKind, Flow, Process
from reetrace.ledger.monthly import (
    event_chunks,
    metal_ug,
    summary_difference,
    summary_replace,
    summary_upsert,
)

__all__ = ["DRAWING_KINDS", "MINING", "SEPARATION", "draws_add", "draws_compare", "draws_rebuild"]

MINING, SEPARATION = "mining", "separation"
# The events whose rows can draw on a quota: mining origins, runs, a run's correction.
DRAWING_KINDS = {EventKind.MINE, EventKind.TRANSFORM, EventKind.CORRECT}
_TABLE = "ledger_quotadraw"
_KEY = ("quota_id", "element", "source")
_TYPES = ("bigint", "varchar", "varchar")

Key = tuple[int, str, str]

_MINED = """
SELECT o.quota_id, le.element, lot.mass_kg, le.fraction
FROM ledger_origin o
JOIN ledger_event e ON e.id = o.event_id
JOIN ledger_lot lot ON lot.id = o.lot_id
JOIN ledger_lotelement le ON le.lot_id = o.lot_id
WHERE o.quota_id IS NOT NULL AND {events}
"""
_SEPARATED = f"""
SELECT COALESCE(t.quota_id, ct.quota_id), le.element, p.kg, le.fraction
FROM ledger_posting p
JOIN ledger_event e ON e.id = p.event_id
LEFT JOIN ledger_transformation t ON t.event_id = e.id
LEFT JOIN ledger_correction c ON c.event_id = e.id
LEFT JOIN ledger_event ce ON ce.id = c.corrected_id
LEFT JOIN ledger_transformation ct ON ct.event_id = c.corrected_id
JOIN ledger_lot lot ON lot.id = p.lot_id
LEFT JOIN ledger_transformation made ON made.event_id = lot.created_by_id
JOIN ledger_lotelement le ON le.lot_id = p.lot_id
WHERE p.bucket = '{Bucket.STOCK.value}' AND p.flow = '{Flow.CONSUMED.value}'
  AND COALESCE(ce.kind, e.kind) = '{EventKind.TRANSFORM.value}'
  AND COALESCE(t.quota_id, ct.quota_id) IS NOT NULL
  AND (made.process IS NULL OR made.process <> '{Process.RECYCLING.value}')
  AND {{events}}
"""  # noqa: S608 (fixed names and choices)
_IN_FORCE = "NOT EXISTS (SELECT 1 FROM ledger_correction k WHERE k.corrected_id = e.id)"


def _derived(cursor, statement: str, source: str, events: str, params: list) -> Iterator:
    """(key, metal µg) of every row the statement selects for the events."""
    cursor.execute(statement.format(events=events), params)  # noqa: S608 (fixed fragments)
    while rows := cursor.fetchmany(5_000):
        for quota, element, kg_mg, ppb in rows:
            yield (quota, element, source), metal_ug(kg_mg, ppb)


def _add(into: dict[Key, int], pairs, sign: int = 1) -> None:
    for key, metal in pairs:
        into[key] += sign * metal


def draws_add(*, added: list[int], voided: list[int], connection=default_connection) -> None:
    """Move the summary by a batch: the origins and run postings of its new events
    (`added`, event keys) in, the origins of the events its corrections voided out (a
    voided run's reversal postings are the correction's own, added with it). Called
    after the rows are written."""
    if not added and not voided:
        return
    deltas: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for events, chunk in event_chunks(added):
            _add(deltas, _derived(cursor, _MINED, MINING, events, chunk))
            _add(deltas, _derived(cursor, _SEPARATED, SEPARATION, events, chunk))
        for events, chunk in event_chunks(voided):
            _add(deltas, _derived(cursor, _MINED, MINING, events, chunk), -1)
    rows = [(*key, metal) for key, metal in sorted(deltas.items()) if metal]
    summary_upsert(connection, _TABLE, _KEY, _TYPES, "metal_ug", rows)


def _all_in_force(connection) -> dict[Key, int]:
    totals: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        _add(totals, _derived(cursor, _MINED, MINING, _IN_FORCE, []))
        _add(totals, _derived(cursor, _SEPARATED, SEPARATION, "TRUE", []))
    return totals


def draws_rebuild(connection=default_connection) -> None:
    """Replace the summary by what the ledger gives (raw SQL: safe in a migration)."""
    summary_replace(connection, _TABLE, _KEY, _TYPES, "metal_ug", _all_in_force(connection))


def draws_compare(connection=default_connection) -> tuple[str, str] | None:
    """The first summary row the ledger does not give (field, what differs), if any."""
    difference = summary_difference(connection, _TABLE, _KEY, "metal_ug", _all_in_force(connection))
    if difference is None:
        return None
    (quota, element, source), found, derived = difference
    return (
        "metal_ug",
        f"quota {quota}, {element}, {source}: the summary holds "
        f"{'no row' if found is None else f'{found} µg'}, the ledger gives {derived} µg",
    )
