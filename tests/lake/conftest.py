"""Spark for the lake's engine tests: one SparkSession per test process, or a skip.

Without pyspark or Java the Spark tests skip with the reason, unless
REETRACE_REQUIRE_SPARK=1 (set by .ci/run), which turns the skip into a failure.
They share the xdist group "spark" so that one worker alone starts a JVM.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_SPARK = os.environ.get("REETRACE_REQUIRE_SPARK") == "1"


@pytest.fixture(scope="session")
def spark():
    from reetrace.lake.spark.session import spark_missing, spark_session

    missing = spark_missing()
    if missing:
        if REQUIRE_SPARK:
            pytest.fail(f"Spark is required (REETRACE_REQUIRE_SPARK=1) but {missing}")
        pytest.skip(f"Spark tests: {missing}")
    return spark_session()
