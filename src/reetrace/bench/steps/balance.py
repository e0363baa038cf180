"""Mass balance of all enterprises for the year beside a bare GROUP BY over the postings."""

from __future__ import annotations

import time

from django.db import connection

from reetrace.bench.measure import peak_rss_mb
from reetrace.compliance.mass_balance import mass_balance

BARE_GROUP_BY = (
    "SELECT holder_id, period, flow, SUM(kg) FROM ledger_posting "
    "WHERE bucket = 'S' GROUP BY holder_id, period, flow"
)


def balance() -> dict:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BARE_GROUP_BY)
        groups = len(cursor.fetchall())
    bare = time.perf_counter() - start
    start = time.perf_counter()
    lines = len(mass_balance())
    full = time.perf_counter() - start
    return {
        "lines": lines,
        "seconds": round(full, 3),
        "bare_group_by_rows": groups,
        "bare_group_by_seconds": round(bare, 3),
        "ratio": round(full / bare, 2) if bare else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
