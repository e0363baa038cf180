"""Running a trace statement: on PostgreSQL as a prepared statement on Django's connection.

A trace is one recursive statement whose planning (~1.5 ms) can cost more than
running it (a lot with nothing downstream). Prepared on the connection (which
lives `CONN_MAX_AGE`) and run with its generic plan (settings), it is planned
once per connection; psycopg prepares it again after a rollback dropped it.
Django binds parameters on the client, which cannot prepare, so the statement
goes through a psycopg cursor with server-side binding on Django's own
connection (so in its transaction), wrapped as Django's own cursors are (query
logging shows $1, $2 for its parameters). REETRACE_PREPARED_STATEMENTS=0 turns
this off for poolers that cannot carry prepared statements.
"""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.db import connection, connections, router

__all__ = ["rows_fetch", "vendor"]


def vendor() -> str:
    """The engine of the default connection: `postgresql` or `sqlite`."""
    return connection.vendor


def rows_fetch(sql: str, params: list) -> list[tuple]:
    """Every row of one trace statement, on the replica for a heavy read (core/routing.py)."""
    from reetrace.ledger.models import Lot

    reading = connections[router.db_for_read(Lot)]
    if reading.vendor != "postgresql" or not settings.REETRACE_PREPARED_STATEMENTS:
        with reading.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    reading.ensure_connection()
    bound = _PreparedCursor(reading.connection)
    wrap = reading.make_debug_cursor if reading.queries_logged else reading.make_cursor
    with wrap(bound) as cursor:  # type: ignore[arg-type]  # a psycopg cursor, as Django wraps
        cursor.execute(sql, params)
        return cursor.fetchall()


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, prepared from the first run (Django's wrapper cannot ask)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)
