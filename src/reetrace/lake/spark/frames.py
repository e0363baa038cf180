"""The lake's tables as Spark DataFrames, read from the files its manifest names."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from reetrace.lake.manifest import WHOLE, Manifest, manifest_read
from reetrace.lake.storage import Lake
from reetrace.lake.tables import TABLES, arrow_schema


class LakeNotReady(RuntimeError):
    """The lake is missing, or does not cover the ledger the command runs against."""


def _spark_type(kind: pa.DataType):
    from pyspark.sql import types as T

    if pa.types.is_int64(kind):
        return T.LongType()
    if pa.types.is_boolean(kind):
        return T.BooleanType()
    if pa.types.is_decimal(kind):
        return T.DecimalType(kind.precision, kind.scale)
    if pa.types.is_timestamp(kind):
        return T.TimestampType()
    if pa.types.is_date32(kind):
        return T.DateType()
    if pa.types.is_floating(kind):
        return T.DoubleType()
    return T.StringType()


class LakeFrames:
    """DataFrames of one lake snapshot (its manifest as read when this was made)."""

    def __init__(self, spark, lake: Lake, manifest: Manifest | None = None):
        self.spark, self.lake = spark, lake
        self.manifest = manifest or manifest_read(lake)
        if self.manifest is None:
            raise LakeNotReady(f"no lake at {lake.uri}: run reetrace lake export --out {lake.uri}")
        self._frames: dict = {}

    def __getitem__(self, name: str):
        if name not in self._frames:
            self._frames[name] = self._read(name)
        return self._frames[name]

    def last_month(self, name: str) -> date | None:
        """The newest month a partitioned table has rows in, from the manifest alone."""
        months = [key for key in self.manifest.tables.get(name, {}) if key != WHOLE]
        return date.fromisoformat(f"{max(months)}-01") if months else None

    def _read(self, name: str):
        from pyspark.sql import types as T

        files = [p.file for p in self.manifest.tables.get(name, {}).values()]
        if files:
            return self.spark.read.parquet(*(self.lake.spark_uri(f) for f in sorted(files)))
        table = next(t for t in TABLES if t.name == name)
        schema = T.StructType(
            [T.StructField(f.name, _spark_type(f.type)) for f in arrow_schema(table)]
        )
        return self.spark.createDataFrame([], schema)
