"""Database rows to Arrow record batches, values as stored.

PostgreSQL's driver returns dates, aware datetimes and Decimals already; SQLite
returns text for dates and times and numbers for decimals, which are parsed
here. JSON columns are kept as their stored text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

Convert = Callable[[Any], Any]


def _date(value):
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _timestamp(value):
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _decimal(places: int) -> Convert:
    quantum = Decimal(1).scaleb(-places)

    def convert(value):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value)).quantize(quantum)

    return convert


def _text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _boolean(value):
    return None if value is None else bool(value)


def converter(kind: pa.DataType) -> Convert | None:
    """How to turn a driver's value into the Arrow type (None: as it comes)."""
    if pa.types.is_date32(kind):
        return _date
    if pa.types.is_timestamp(kind):
        return _timestamp
    if pa.types.is_decimal(kind):
        return _decimal(kind.scale)
    if pa.types.is_string(kind):
        return _text
    if pa.types.is_boolean(kind):
        return _boolean
    return None


def batches(schema: pa.Schema, chunks: Iterator[list[tuple]]) -> Iterator[pa.RecordBatch]:
    """Record batches of `schema` from chunks of row tuples in the schema's column order."""
    converters = [converter(f.type) for f in schema]
    for rows in chunks:
        arrays = []
        for index, (column, convert) in enumerate(zip(schema, converters, strict=True)):
            values = [row[index] for row in rows]
            if convert is not None:
                values = [convert(v) for v in values]
            arrays.append(pa.array(values, type=column.type))
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)
