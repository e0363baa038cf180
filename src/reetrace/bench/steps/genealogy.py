"""Genealogy traces of random lots, beside the bare recursive query as the baseline."""

from __future__ import annotations

import random
import time

from reetrace.bench.measure import peak_rss_mb, percentile
from reetrace.ledger.models import Lot
from reetrace.trace.genealogy import genealogy, link_rows


def _ms(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def traces(lot_count: int, seed: int) -> dict:
    ids = list(Lot.objects.order_by("pk").values_list("pk", flat=True))
    sample = random.Random(seed).sample(ids, min(lot_count, len(ids)))
    lots = list(Lot.objects.filter(pk__in=sample))
    result = {"lots": len(lots)}
    for direction in ("up", "down"):
        full = [_ms(genealogy, lot, direction) for lot in lots]
        bare = [_ms(link_rows, lot.pk, direction) for lot in lots]
        result[direction] = {
            "p50_ms": round(percentile(full, 50), 3),
            "p99_ms": round(percentile(full, 99), 3),
            "bare_p50_ms": round(percentile(bare, 50), 3),
            "bare_p99_ms": round(percentile(bare, 99), 3),
            "ratio_p50": round(percentile(full, 50) / max(percentile(bare, 50), 1e-6), 2),
        }
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result
