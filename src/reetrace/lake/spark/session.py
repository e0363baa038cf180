"""The one SparkSession of a process, on the master REETRACE_SPARK_MASTER names.

pyspark is an optional extra and Spark needs a Java runtime; `spark_session`
says which is missing rather than failing deep inside py4j. The same commands
run on `local[2]`, a standalone cluster (`spark://host:7077`) or Kubernetes
(`k8s://https://host`): only the master changes (docs/scale.md).
"""

from __future__ import annotations

import os
import shutil
from functools import cache

from django.conf import settings


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing; the message says which and how to get it."""


def spark_missing() -> str | None:
    """Why Spark cannot start here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'reetrace[spark]'"
    if shutil.which("java") is None and not _java_home():
        return "no Java runtime: install Java 17 or later (Debian: openjdk-17-jre-headless)"
    return None


def _java_home() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home) and os.path.exists(os.path.join(home, "bin", "java"))


@cache
def spark_session():
    """Start (once) the SparkSession; later calls return the same one."""
    missing = spark_missing()
    if missing:
        raise SparkUnavailable(missing)
    from pyspark.sql import SparkSession

    master = settings.REETRACE_SPARK_MASTER
    builder = (
        SparkSession.builder.master(master)
        .appName("reetrace")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")  # an overflow is an error, never a null
    )
    if master.startswith("local"):
        # a few partitions per core (the default 200 is for clusters); every table
        # up to 256 MB broadcast, since it is all in one process anyway (a shuffle
        # costs more than a hash table here); the driver is the executor, so it
        # gets the memory the cached postings need; the JVM's quick compiler only:
        # a command's jobs last seconds, and the optimising compiler's own CPU cost
        # more than it gained (session start 10.7 -> 5.0 s, first balance 13.7 ->
        # 6.6 s, 0.9M postings 5.0 -> 3.7 CPU s: docs/performance.md); and the
        # loopback address: a local session talks to nothing else
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.autoBroadcastJoinThreshold", str(256 << 20))
            .config("spark.driver.memory", "2g")
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
