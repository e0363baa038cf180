"""`lake_export`: the ledger as Parquet, one file per table and reporting month.

The export reads one consistent snapshot (a REPEATABLE READ transaction on
PostgreSQL, one read transaction on SQLite): the chain head, then every table up
to the chain's last event. The first export writes every month; a later one only
the months that events added to the chain since the previous export touch: the
events' own months and the months their postings are dated in (a correction's
reversal is dated in the corrected event's month, so the corrected month is
rewritten too). Reference tables are rewritten when their content changed. The
new manifest commits the export; files it no longer names are deleted after.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection, transaction
from django.db.models import Max

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.lake.manifest import WHOLE, Chain, Manifest, Part, manifest_read, manifest_write
from reetrace.lake.rows import batches
from reetrace.lake.storage import Lake
from reetrace.lake.tables import TABLES, LakeTable, arrow_schema, columns
from reetrace.ledger.chain import chain_position_hash
from reetrace.ledger.models import ChainHead, Event, MonthlyFlow, Posting

__all__ = ["ExportResult", "lake_export"]

FETCH = 20_000
COMPRESSION = "zstd"
Progress = Callable[[str, int, int], None]


@dataclass
class ExportResult:
    manifest: Manifest
    months: list[str]  # months written
    rows: int  # rows written
    bytes: int  # bytes written


def lake_export(lake: Lake, *, progress: Progress | None = None) -> ExportResult:
    """Write what changed since the lake's last export and commit a new manifest."""
    previous = _previous(lake)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        chain = _chain()
        months = _changed_months(previous, chain)
        manifest = Manifest(
            export=previous.export + 1 if previous else 1,
            exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database=connection.vendor,
            chain=chain,
            tables={
                name: dict(parts) for name, parts in (previous.tables if previous else {}).items()
            },
            changed=months,
        )
        written = _write_tables(lake, manifest, previous, months, progress)
    stale = (previous.files() if previous else set()) - manifest.files()
    manifest_write(lake, manifest)
    for file in sorted(stale):
        lake.delete(file)
    return ExportResult(manifest, months, *written)


def _previous(lake: Lake) -> Manifest | None:
    try:
        return manifest_read(lake)
    except (ValueError, KeyError, TypeError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{lake.uri} holds no readable lake manifest: {exc}", field="out"
        ) from exc


def _chain() -> Chain:
    head = ChainHead.objects.filter(pk=1).first()
    last = Event.objects.aggregate(pk=Max("pk"))["pk"] or 0
    if head is None:
        return Chain(0, "", last)
    return Chain(head.length, head.last_hash, last)


def _changed_months(previous: Manifest | None, chain: Chain) -> list[str]:
    """Every month on a first export; afterwards those the new events touch."""
    if previous is None:
        events = Event.objects.values_list("period", flat=True)
        flows = MonthlyFlow.objects.values_list("period", flat=True)
        found = set(events.distinct()) | set(flows.distinct())
        return sorted(f"{m:%Y-%m}" for m in found)
    before = previous.chain
    if before.position > chain.position or (
        before.position and chain_position_hash(before.position) != before.head_hash
    ):
        raise ReetraceError(
            ErrorCode.INVALID,
            f"the lake covers chain position {before.position} with head "
            f"{before.head_hash[:12]}…, which this ledger's chain does not contain: "
            "export to a new location",
            field="out",
        )
    new = Event.objects.filter(pk__gt=before.last_event_pk, pk__lte=chain.last_event_pk)
    found = set(new.values_list("period", flat=True).distinct())
    found |= set(Posting.objects.filter(event__in=new).values_list("period", flat=True).distinct())
    return sorted(f"{m:%Y-%m}" for m in found)


def _write_tables(lake, manifest, previous, months, progress) -> tuple[int, int]:
    partitioned = [t for t in TABLES if t.partitioned]
    reference = [t for t in TABLES if not t.partitioned]
    total = len(partitioned) + len(reference)
    rows = size = 0
    for index, table in enumerate(partitioned):
        if progress:
            progress(table.name, index, total)
        parts = manifest.tables.setdefault(table.name, {})
        for month in months:
            parts.pop(month, None)
        for month, data in _month_files(table, months, chain_last=manifest.chain.last_event_pk):
            parts[month] = _store(lake, table, month, manifest.export, data)
            rows += parts[month].rows
            size += len(data[0])
    for index, table in enumerate(reference, start=len(partitioned)):
        if progress:
            progress(table.name, index, total)
        data = _file(arrow_schema(table), _rows(table, None, None))
        old = (previous.tables.get(table.name, {}) if previous else {}).get(WHOLE)
        part = _store(lake, table, WHOLE, manifest.export, data, old)
        manifest.tables[table.name] = {WHOLE: part}
        if part is not old:
            rows, size = rows + part.rows, size + len(data[0])
    if progress:
        progress("done", total, total)
    return rows, size


def _store(lake: Lake, table: LakeTable, key: str, export: int, data, old: Part | None = None):
    """Write one data file under a name of this export (keep `old` when identical)."""
    content, count, digest = data
    if old is not None and old.sha256 == digest:
        return old
    folder = table.name if key == WHOLE else f"{table.name}/period={key}"
    file = f"{folder}/part-{export:06d}.parquet"
    lake.write_bytes(file, content)
    return Part(file=file, rows=count, sha256=digest)


class _ParquetBuffer:
    """One Parquet file being written in memory, a record batch at a time."""

    def __init__(self, schema: pa.Schema):
        self.schema, self.sink, self.rows = schema, io.BytesIO(), 0
        self.writer = pq.ParquetWriter(self.sink, schema, compression=COMPRESSION)

    def add(self, rows: list[tuple]) -> None:
        for batch in batches(self.schema, iter([rows])):
            self.writer.write_batch(batch)
            self.rows += batch.num_rows

    def close(self) -> tuple[bytes, int, str]:
        """(bytes, row count, SHA-256) of the finished file."""
        self.writer.close()
        content = self.sink.getvalue()
        return content, self.rows, hashlib.sha256(content).hexdigest()


def _file(schema: pa.Schema, chunks: Iterator[list]) -> tuple[bytes, int, str]:
    buffer = _ParquetBuffer(schema)
    for rows in chunks:
        buffer.add(rows)
    return buffer.close()


def _month_files(table: LakeTable, months: list[str], *, chain_last: int):
    """(month, file) for each month of `months` that has rows, streamed a chunk at a time."""
    if not months:
        return
    schema = arrow_schema(table)
    current: str | None = None
    buffer: _ParquetBuffer | None = None
    for chunk in _rows(table, months, chain_last):
        start = 0
        for index, row in enumerate(chunk):
            month = str(row[-1])[:7]
            if month != current:
                if buffer is not None:
                    buffer.add([r[:-1] for r in chunk[start:index]])
                    yield current, buffer.close()
                current, buffer, start = month, _ParquetBuffer(schema), index
        buffer.add([r[:-1] for r in chunk[start:]])
    if buffer is not None:
        yield current, buffer.close()


def _rows(table: LakeTable, months: list[str] | None, chain_last: int | None) -> Iterator[list]:
    """Chunks of the table's rows (with the month last), ordered by month then key."""
    model = table.django_model()
    names = ", ".join(f"t.{connection.ops.quote_name(f.column)}" for f in columns(table))
    sql = f"SELECT {names}"  # noqa: S608 (names from the models)
    params: list = []
    if table.partitioned:
        sql += f", {table.period} FROM {model._meta.db_table} t {table.joins}"
        marks = ", ".join(["%s"] * len(months))
        sql += f" WHERE {table.period} IN ({marks})"
        params += [f"{m}-01" for m in months]
        if table.event_bound:
            sql += f" AND {table.event_bound} <= %s"
            params.append(chain_last)
        sql += f" ORDER BY {table.period}, t.{model._meta.pk.column}"
    else:
        sql += f" FROM {model._meta.db_table} t ORDER BY t.{model._meta.pk.column}"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(FETCH):
            yield chunk
