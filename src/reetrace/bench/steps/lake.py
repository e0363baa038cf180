"""Lake export beside a bare COPY ... TO of the same tables, and Spark beside the database.

`lake`: the first (full) export of the loaded year into a fresh lake: rows/s and
bytes, beside `COPY (SELECT ...) TO STDOUT` of the same tables and columns on
PostgreSQL (a plain fetch of every row on SQLite), in the same run.

`spark`: the national mass balance (every enterprise, month and element) and the
ported detection rules on Spark over that lake, beside the database on the same
data; then the balance's Spark job on the lake's postings repeated 1x, 2x and 4x
(each copy under other holder and lot ids: more enterprises' material, the same
arithmetic) for the cost curve and the per-row cost.
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from reetrace.bench.measure import peak_rss_mb, process_cpu_seconds
from reetrace.compliance.mass_balance import balance_report
from reetrace.compliance.models import Alert, DetectionRun
from reetrace.compliance.services.detection import detect
from reetrace.lake.export import lake_export
from reetrace.lake.spark.frames import LakeFrames
from reetrace.lake.spark.session import spark_session
from reetrace.lake.spark.source import PORTED, SparkSource
from reetrace.lake.storage import lake_open
from reetrace.lake.tables import TABLES, columns
from reetrace.ledger.rules import CHINA_TIME

AS_OF = datetime(2027, 3, 1, tzinfo=CHINA_TIME)
SHIFT = 1 << 40  # ids of a copy: far above any real id


def _lake_dir() -> Path:
    path = Path(settings.REETRACE_VAR_DIR) / "bench" / "lake"
    shutil.rmtree(path, ignore_errors=True)
    return path


def _bare_copy() -> tuple[int, int, float]:
    """(rows, bytes, seconds) of COPY ... TO STDOUT of every lake table's columns."""
    rows = size = 0
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            model = table.django_model()
            names = ", ".join(connection.ops.quote_name(f.column) for f in columns(table))
            select = f"SELECT {names} FROM {model._meta.db_table}"  # noqa: S608
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
                    for block in copy:
                        size += len(block)
                        rows += bytes(block).count(b"\n")
            else:
                cursor.execute(select)
                while chunk := cursor.fetchmany(20_000):
                    rows += len(chunk)
    return rows, size, time.perf_counter() - start


def lake() -> dict:
    path = _lake_dir()
    start = time.perf_counter()
    result = lake_export(lake_open(str(path), create=True))
    seconds = time.perf_counter() - start
    copy_rows, copy_bytes, copy_seconds = _bare_copy()
    return {
        "path": str(path),
        "rows": result.rows,
        "bytes": result.bytes,
        "seconds": round(seconds, 3),
        "rows_per_s": round(result.rows / seconds) if seconds else None,
        "copy_rows": copy_rows,
        "copy_bytes": copy_bytes,
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_s": round(copy_rows / copy_seconds) if copy_seconds else None,
        "ratio": round(seconds / copy_seconds, 2) if copy_seconds else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


class _Repeated(LakeFrames):
    """The lake with its postings and lot elements repeated `times`, ids shifted per copy."""

    def __init__(self, frames: LakeFrames, times: int):
        super().__init__(frames.spark, frames.lake, frames.manifest)
        self.base, self.times = frames, times

    def _read(self, name: str):
        from pyspark.sql import functions as F

        frame = self.base[name]
        if name not in ("postings", "lot_elements") or self.times == 1:
            return frame
        ids = ("holder_id", "lot_id") if name == "postings" else ("lot_id",)
        copies = [frame]
        for k in range(1, self.times):
            copy = frame
            for column in ids:
                copy = copy.withColumn(column, F.col(column) + F.lit(k * SHIFT))
            copies.append(copy)
        result = copies[0]
        for copy in copies[1:]:
            result = result.unionByName(copy)
        return result


def _database_recompute(measure) -> dict | None:
    """Wall and CPU seconds PostgreSQL takes to recompute the flow summary from the
    postings (the work Spark does for the balance; the database's balance reads the
    summary kept at capture instead): as configured (parallel workers allowed, whose
    CPU the backend's figure leaves out), then on one core, where the backend's CPU
    is all of it."""
    if connection.vendor != "postgresql":
        return None
    from reetrace.ledger.monthly import _DERIVED_POSTGRESQL

    def recompute(workers: int | None):
        with transaction.atomic(), connection.cursor() as cursor:
            if workers is not None:
                cursor.execute(f"SET LOCAL max_parallel_workers_per_gather = {workers}")
            cursor.execute(_DERIVED_POSTGRESQL)
            cursor.fetchall()

    return {
        "parallel": measure(lambda: recompute(None))[1],
        "one_core": measure(lambda: recompute(0))[1],
    }


def _timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


class _Processes:
    """CPU seconds of the processes that do the work: this one (Django, the checks'
    Python, the driver's), Spark's JVM and the database's backend. On a machine
    shared with other work, CPU is the fair measure of an engine; wall seconds are
    reported beside it."""

    def __init__(self, session):
        self.jvm = session.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = cursor.fetchone()[0]

    def cpu(self) -> dict[str, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        found = {"python": own.ru_utime + own.ru_stime, "jvm": process_cpu_seconds(self.jvm)}
        if self.backend is not None:
            found["database"] = process_cpu_seconds(self.backend)
        return found

    def measure(self, function) -> tuple:
        """(value, figures): wall seconds and CPU seconds per process while `function` ran."""
        before = self.cpu()
        value, seconds = _timed(function)
        after = self.cpu()
        cpu = {name: round(after[name] - before[name], 3) for name in before}
        return value, {"seconds": round(seconds, 3), "cpu": cpu}


def spark(lake_path: str) -> dict:
    load_before = os.getloadavg()  # other work on the machine, before and after
    session, started = _timed(spark_session)
    processes = _Processes(session)
    frames = LakeFrames(session, lake_open(lake_path))
    measure = processes.measure
    # each Spark measure gets a new source: a source answers a repeated question
    # from memory, which would time nothing
    database_lines, database = measure(lambda: balance_report(enterprise_ids=None))
    # the first job compiles Spark's plans and warms the JVM: reported apart
    _, cold = measure(lambda: balance_report(enterprise_ids=None, source=SparkSource(frames)))
    spark_lines, warm = measure(
        lambda: balance_report(enterprise_ids=None, source=SparkSource(frames))
    )
    recompute = _database_recompute(measure)
    rules = sorted(PORTED)
    detection = {}
    for name, engine in (("database", None), ("spark", SparkSource(frames))):
        Alert.objects.all().delete()
        DetectionRun.objects.all().delete()
        _, figures = measure(lambda e=engine: detect(rules=rules, as_of=AS_OF, full=True, source=e))
        detection[name] = {**figures, "alerts": Alert.objects.count()}
        if engine is not None:
            engine.release()
    postings = frames["postings"].count()
    curve = []
    for times in (1, 2, 4):
        repeated = SparkSource(_Repeated(frames, times))
        rows, figures = measure(
            lambda r=repeated: r.flow_totals(None, enterprise_ids=None, element=None)
        )
        curve.append(
            {
                "times": times,
                "postings": postings * times,
                "summary_rows": len(rows),
                **figures,
                "us_per_posting": round(figures["seconds"] / (postings * times) * 1e6, 3),
                "cpu_us_per_posting": round(
                    sum(figures["cpu"].values()) / (postings * times) * 1e6, 3
                ),
            }
        )
    return {
        "master": settings.REETRACE_SPARK_MASTER,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "session_start_seconds": round(started, 3),
        "balance_lines": len(spark_lines),
        "balance_equal": spark_lines == database_lines,
        "balance_database_seconds": database["seconds"],
        "balance_spark_seconds": warm["seconds"],
        "balance_spark_cold_seconds": cold["seconds"],
        "balance_cpu": {
            "database": database["cpu"],
            "spark": warm["cpu"],
            "spark_cold": cold["cpu"],
        },
        "recompute_database_seconds": recompute and recompute["parallel"]["seconds"],
        "recompute_database": recompute,
        "detection_rules": rules,
        "detection": detection,
        "postings": postings,
        "curve": curve,
    }
