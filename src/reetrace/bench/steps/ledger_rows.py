"""The ledger's own rows written again raw: the physical limit of the ledger's schema.

The raw baseline (`load.raw_baseline`) writes one row per event into a table with
no index but its key. Capture writes 6 to 7 rows per event into the ledger's
tables, which carry the indexes that traces and analytics read by and foreign
keys that PostgreSQL checks row by row. This step measures what those rows cost
with no rule and no Python at all: every row the load wrote is copied out, the
tables are emptied, and the same rows go back in (PostgreSQL binary `COPY`, then
the deferred foreign-key checks a commit would run; SQLite `INSERT ... SELECT`),
timed, inside one transaction that is then rolled back, so the ledger is left
exactly as it was. Ingest can approach this figure but never pass it.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack

from django.db import connection, transaction

from reetrace.bench.measure import peak_rss_mb
from reetrace.ledger.capture.content import WRITE_ORDER
from reetrace.ledger.models import Event, LotElement, LotLink, MonthlyFlow, Posting

# Parents before children, the order capture writes them in.
LEDGER_MODELS = (Event, *WRITE_ORDER, LotElement, Posting, LotLink, MonthlyFlow)
_BLOCK = 1 << 20


def ledger_rows_baseline() -> dict:
    tables = [m._meta.db_table for m in LEDGER_MODELS]
    events = Event.objects.count()
    per_table: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        rewrite = _rewrite_postgres if connection.vendor == "postgresql" else _rewrite_sqlite
        rows, check_s = rewrite(cursor, tables, per_table)
        transaction.set_rollback(True)  # measured, never kept
    seconds = sum(per_table.values()) + check_s
    return {
        "events": events,
        "rows": rows,
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds, 1) if seconds else None,
        "rows_per_s": round(rows / seconds, 1) if seconds else None,
        "foreign_key_check_s": round(check_s, 3),
        "per_table_s": {t: round(s, 3) for t, s in per_table.items()},
        "method": "COPY (binary)" if connection.vendor == "postgresql" else "INSERT ... SELECT",
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _rewrite_postgres(cursor, tables: list[str], per_table: dict) -> tuple[int, float]:
    """Copy each table out to a file, empty them all, copy back in; (rows, FK check s)."""
    raw, spools, rows = cursor.cursor, {}, 0
    with ExitStack() as files:
        for table in tables:
            spools[table] = spool = files.enter_context(tempfile.TemporaryFile())
            with raw.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                for block in copy:
                    spool.write(block)
            spool.seek(0)
            rows += raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        # Checks still pending in the caller's transaction would forbid the TRUNCATE;
        # fire them first, then defer again as a capture transaction does.
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raw.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        raw.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            start = time.perf_counter()
            with raw.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                while block := spools[table].read(_BLOCK):
                    copy.write(block)
            per_table[table] = time.perf_counter() - start
    start = time.perf_counter()
    raw.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    return rows, time.perf_counter() - start


def _rewrite_sqlite(cursor, tables: list[str], per_table: dict) -> tuple[int, float]:
    rows = 0
    for table in tables:
        cursor.execute(f'CREATE TEMP TABLE "saved_{table}" AS SELECT * FROM "{table}"')
        cursor.execute(f'SELECT count(*) FROM "saved_{table}"')
        rows += cursor.fetchone()[0]
    for table in reversed(tables):
        cursor.execute(f'DELETE FROM "{table}"')
    for table in tables:
        start = time.perf_counter()
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "saved_{table}"')
        per_table[table] = time.perf_counter() - start
    return rows, 0.0
