"""Genealogy traces of random lots, beside the bare recursive query with the same bound.

What is timed is what a person, the API and the CLI get by default: the bounded
trace (`genealogy`, nearest DEFAULT_LIMIT lots, with nodes, custody, per-element
attribution and the generation summary). Its baseline is the bare recursive query
with the same bound (`link_rows(..., limit=...)`: the same walk and the edges
among the same lots, nothing else), timed on the same lot next to it (which one
goes first alternates), so both see the same machine. The whole-closure trace and
the bare whole-closure query are timed too, for reference, on the first lots of the
same sample until a time budget is spent (at national scale one closure can hold
tens of thousands of lots).

On PostgreSQL the tables a trace reads are ANALYZEd first: a bulk load leaves no
planner statistics until autovacuum gets to them (never, where it is off), and a
live database has them. Without them the planner's guesses are wild enough to
JIT-compile every trace (tens of ms each), which no user would see.
"""

from __future__ import annotations

import random
import time

from django.db import connection

from reetrace.bench.measure import peak_rss_mb, percentile
from reetrace.ledger.models import Lot
from reetrace.trace.genealogy import DEFAULT_LIMIT, genealogy, link_rows

FULL_BUDGET_S = 60.0
TRACE_TABLES = (
    "ledger_lot",
    "ledger_lotlink",
    "ledger_lotelement",
    "ledger_event",
    "ledger_correction",
    "ledger_shipment",
    "ledger_receipt",
    "ledger_exportdeclaration",
    "ledger_origin",
)


def _analyze() -> float | None:
    """Planner statistics for the tables a trace reads (PostgreSQL); seconds taken."""
    if connection.vendor != "postgresql":
        return None
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(TRACE_TABLES)}")
    return round(time.perf_counter() - start, 2)


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, value


def _figures(traced: list[float], bare: list[float]) -> dict:
    p50, p99 = percentile(traced, 50), percentile(traced, 99)
    bare50, bare99 = percentile(bare, 50), percentile(bare, 99)
    return {
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "bare_p50_ms": round(bare50, 3),
        "bare_p99_ms": round(bare99, 3),
        "ratio_p50": round(p50 / max(bare50, 1e-6), 2),
        "ratio_p99": round(p99 / max(bare99, 1e-6), 2),
    }


def traces(
    lot_count: int, seed: int, *, limit: int = DEFAULT_LIMIT, full_budget_s: float = FULL_BUDGET_S
) -> dict:
    ids = list(Lot.objects.order_by("pk").values_list("pk", flat=True))
    sample = random.Random(seed).sample(ids, min(lot_count, len(ids)))
    by_pk = Lot.objects.in_bulk(sample)
    lots = [by_pk[pk] for pk in sample]
    result: dict = {"lots": len(lots), "limit": limit, "analyze_s": _analyze()}
    for direction in ("up", "down"):
        traced, bare, truncated, shown = [], [], 0, 0
        for n, lot in enumerate(lots):
            # Alternate which goes first, so neither always finds the lot's pages warm.
            if n % 2:
                bare.append(_timed(link_rows, lot.pk, direction, event_codes=True, limit=limit)[0])
            ms, graph = _timed(genealogy, lot, direction, limit=limit)
            traced.append(ms)
            if not n % 2:
                bare.append(_timed(link_rows, lot.pk, direction, event_codes=True, limit=limit)[0])
            truncated += graph.truncated
            shown += sum(1 for node in graph.nodes.values() if node["type"] == "lot")
        full, bare_full = [], []
        deadline = time.perf_counter() + full_budget_s
        for lot in lots:
            if time.perf_counter() > deadline:
                break
            full.append(_timed(genealogy, lot, direction, limit=None)[0])
            bare_full.append(_timed(link_rows, lot.pk, direction, event_codes=True)[0])
        result[direction] = {
            **_figures(traced, bare),
            "truncated_share": round(truncated / max(len(lots), 1), 3),
            "mean_lots_shown": round(shown / max(len(lots), 1), 1),
            "full": {"lots": len(full), **(_figures(full, bare_full) if full else {})},
        }
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result
