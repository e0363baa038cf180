"""Bulk load through the ledger's rules, and the same event rows written raw (the baseline)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from django.db import connection, transaction

from reetrace.bench.measure import Stopwatch, peak_rss_mb
from reetrace.synth.chain import Chain
from reetrace.synth.config import load_config
from reetrace.synth.loader import Loader

RAW_CHUNK = 10_000
COPY_SQL = "COPY bench_raw_event (event_id, kind, reporter, event_time, payload) FROM STDIN"


class TimedLoader(Loader):
    """The synthetic loader, timing only the capture of event batches (not the
    registry, licence and customs records the loader writes beside them)."""

    def __init__(self, batch_size: int, end_month: date):
        super().__init__(batch_size, end_month=end_month)
        self.watch = Stopwatch()

    def capture(self, events: list[dict]) -> None:
        with self.watch.running():
            super().capture(events)


def bulk_load(scale: str, seed: int, end_month: date, tick=None) -> dict:
    loader = TimedLoader(batch_size=1000, end_month=end_month)
    for kind, record in Chain(load_config(scale), seed, end_month).records():
        loader.add(kind, record)
        if tick and kind == "event":
            tick()
    loader.finish()
    seconds = loader.watch.seconds
    return {
        "events": loader.loaded,
        "seconds": round(seconds, 3),
        "events_per_s": round(loader.loaded / seconds, 1) if seconds else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _raw_rows(scale: str, seed: int, end_month: date) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for kind, record in Chain(load_config(scale), seed, end_month).records():
        if kind != "event":
            continue
        chunk.append(
            (
                record["event_id"],
                record["kind"],
                record.get("reporter") or "",
                record["event_time"],
                json.dumps(record),
            )
        )
        if len(chunk) == RAW_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def raw_baseline(scale: str, seed: int, end_month: date) -> dict:
    """The same event rows with no validation: PostgreSQL COPY, SQLite executemany."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_event")
        cursor.execute(
            "CREATE TABLE bench_raw_event (id BIGSERIAL PRIMARY KEY, event_id TEXT, kind TEXT, "
            "reporter TEXT, event_time TEXT, payload TEXT)"
            if postgres
            else "CREATE TABLE bench_raw_event (id INTEGER PRIMARY KEY, event_id TEXT, "
            "kind TEXT, reporter TEXT, event_time TEXT, payload TEXT)"
        )
    watch, rows = Stopwatch(), 0
    for chunk in _raw_rows(scale, seed, end_month):
        with watch.running(), transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                with cursor.cursor.copy(COPY_SQL) as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    "INSERT INTO bench_raw_event (event_id, kind, reporter, event_time, payload) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    chunk,
                )
        rows += len(chunk)
    return {
        "rows": rows,
        "seconds": round(watch.seconds, 3),
        "rows_per_s": round(rows / watch.seconds, 1) if watch.seconds else None,
        "method": "COPY" if postgres else "executemany",
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
