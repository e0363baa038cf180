"""The monthly export summary (`MonthlyExport`): kg of the export declarations in force
per month, destination, HS code and exporter.

It is what the export statistics read (`trace.selectors.export_summary`: the national
overview's and the exports page's table and chart, kg and the number of exporters per
cell, pooled below the confidentiality threshold), which would otherwise group every
export declaration of the twelve months, each joined to its event and probed for a
correction, on every view: about 90,000 a year at medium scale, 0.3 s. Like the
movement summary it is moved in the capture transaction (`exports_add`, from
`capture.session.plans_write`, with the same event keys): a batch adds the
declarations its events wrote and takes away those of the events it voided, so it
always equals the declarations in force (`exports_rebuild` derives it from those
alone; `exports_compare`, run by verify_chain, checks it). A row whose declarations
were all voided holds 0 and counts no exporter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db import connection as default_connection

from reetrace.ledger.monthly import (
    event_chunks,
    summary_difference,
    summary_replace,
    summary_upsert,
)

__all__ = ["exports_add", "exports_compare", "exports_rebuild"]

_TABLE = "ledger_monthlyexport"
_KEY = ("period", "destination", "hs_code", "exporter_id")
_TYPES = ("date", "varchar", "varchar", "bigint")

Key = tuple[object, str, str, int]

_DECLARATIONS = """
SELECT e.period, x.destination, x.hs_code, x.exporter_id, x.kg
FROM ledger_exportdeclaration x
JOIN ledger_event e ON e.id = x.event_id
WHERE {events}
"""
_IN_FORCE = "NOT EXISTS (SELECT 1 FROM ledger_correction k WHERE k.corrected_id = e.id)"


def _derived(cursor, events: str, params: list) -> Iterator[tuple[Key, int]]:
    """(key, mg) of every export declaration of the events selected."""
    cursor.execute(_DECLARATIONS.format(events=events), params)  # noqa: S608 (fixed fragments)
    while rows := cursor.fetchmany(5_000):
        for period, destination, hs_code, exporter, kg_mg in rows:
            yield (period, destination, hs_code, exporter), kg_mg


def exports_add(*, added: list[int], voided: list[int], connection=default_connection) -> None:
    """Move the summary by a batch: the declarations of its new events (`added`, event
    keys) in, those of the events its corrections voided out. Called after the rows
    are written."""
    if not added and not voided:
        return
    deltas: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for keys, sign in ((added, 1), (voided, -1)):
            for events, chunk in event_chunks(keys):
                for key, kg_mg in _derived(cursor, events, chunk):
                    deltas[key] += sign * kg_mg
    rows = [(*key, kg) for key, kg in sorted(deltas.items()) if kg]
    summary_upsert(connection, _TABLE, _KEY, _TYPES, "kg", rows)


def _all_in_force(connection) -> dict[Key, int]:
    totals: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for key, kg_mg in _derived(cursor, _IN_FORCE, []):
            totals[key] += kg_mg
    return totals


def exports_rebuild(connection=default_connection) -> None:
    """Replace the summary by the declarations in force (raw SQL: safe in a migration)."""
    summary_replace(connection, _TABLE, _KEY, _TYPES, "kg", _all_in_force(connection))


def exports_compare(connection=default_connection) -> tuple[str, str] | None:
    """The first summary row the declarations in force do not give (field, what
    differs), if any. A row may hold 0 where everything it summed was voided."""
    difference = summary_difference(connection, _TABLE, _KEY, "kg", _all_in_force(connection))
    if difference is None:
        return None
    (period, destination, hs_code, exporter), found, derived = difference
    return (
        "kg",
        f"{period} to {destination}, HS {hs_code}, exporter {exporter}: the summary holds "
        f"{'no row' if found is None else f'{found} mg'}, the declarations in force give "
        f"{derived} mg",
    )
