"""Event files (JSON lines and CSV) turned into the dicts that capture accepts.

The CLI import and, later, the portal's upload page must read a file the same
way, so parsing lives here as plain functions over a binary stream rather than
inside a command. Files are read line by line because historical loads run to
millions of rows. Every problem names the line (and the column) to fix, because
the people fixing it work in a text editor or a spreadsheet, not in Python.

Only the shape of the file is checked here; what the events mean is capture's
business, so a file that parses cleanly can still be rejected batch by batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import PurePath
from typing import IO, get_args

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.schemas import EventIn

__all__ = [
    "FORMATS",
    "EventFileError",
    "composition_cell",
    "csv_events",
    "event_columns",
    "events_read",
    "format_guess",
    "jsonl_events",
]

FORMATS = ("csv", "jsonl")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# Cells that hold a structure, written as JSON in one CSV cell.
JSON_COLUMNS = frozenset({"lot", "inputs", "outputs", "replacement"})
# Flat spelling of the `lot` object, for spreadsheets that should not hold JSON.
LOT_COLUMNS = {
    "lot.code": "code",
    "lot.product": "product",
    "lot.mass": "mass",
    "lot.composition": "composition",
    "lot.site": "site",
    "lot.external_ref": "external_ref",
}


class EventFileError(ReetraceError):
    """A file that cannot be read as events; carries where, so people can fix it."""

    def __init__(self, message: str, *, line: int, column: int | str | None = None):
        where = f"line {line}" + (f" column {column}" if column is not None else "")
        super().__init__(ErrorCode.INVALID, f"{where}: {message}", field=_field_of(column))
        self.line = line
        self.column = column


def _field_of(column: int | str | None) -> str | None:
    return column if isinstance(column, str) else None


@cache
def event_columns() -> frozenset[str]:
    """Every top-level field of any event kind, read off the API schemas so they never drift."""
    union = get_args(EventIn)[0]  # EventIn is Annotated[Union[...], discriminator]
    return frozenset(name for model in get_args(union) for name in model.model_fields)


def format_guess(name: str) -> str:
    """The format implied by a file name, so the usual case needs no --format."""
    found = _SUFFIXES.get(PurePath(name).suffix.lower())
    if found is None:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"cannot tell the format of {name!r} from its name; pass --format csv or jsonl",
            field="format",
        )
    return found


def events_read(
    stream: IO[bytes], fmt: str, *, on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict]]:
    """(line number, event dict) for each event of a binary stream, read lazily.

    `on_bytes` hears how many bytes each physical line took, for progress bars.
    """
    lines = _text_lines(stream, on_bytes)
    if fmt == "jsonl":
        return jsonl_events(enumerate(lines, start=1))
    if fmt == "csv":
        return csv_events(lines)
    raise ReetraceError(ErrorCode.INVALID, f"unknown format {fmt!r}; use csv or jsonl")


def _text_lines(stream: IO[bytes], on_bytes: Callable[[int], None] | None) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported where it is, not as a crash."""
    for number, raw in enumerate(stream, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventFileError(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                line=number,
                column=exc.start + 1,
            ) from exc
        yield text.removeprefix("\ufeff") if number == 1 else text


def jsonl_events(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, dict]]:
    """One JSON object per line; blank lines are skipped."""
    for number, text in lines:
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EventFileError(
                f"malformed JSON: {exc.msg}", line=number, column=exc.colno
            ) from exc
        if not isinstance(item, dict):
            raise EventFileError(
                f"each line must be one JSON object, not a {type(item).__name__}", line=number
            )
        yield number, item


def csv_events(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """One event per row under a header of event field names; blank rows are skipped."""
    reader = csv.reader(lines, strict=True)
    header = _csv_header(reader)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise EventFileError(f"not valid CSV: {exc}", line=reader.line_num) from exc
        if any(cell.strip() for cell in cells):
            yield start, csv_row_event(header, cells, start)


def _csv_header(reader) -> list[str]:
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise EventFileError(
            "the file is empty; the first row must name the columns", line=1
        ) from None
    except csv.Error as exc:
        raise EventFileError(f"not valid CSV: {exc}", line=reader.line_num) from exc
    known = event_columns() | set(LOT_COLUMNS)
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        where = {"line": reader.line_num, "column": f"{position} ({name!r})"}
        if not name:
            raise EventFileError("column has no name", **where)
        if name in seen:
            raise EventFileError("column appears twice", **where)
        if name not in known:
            raise EventFileError(
                "unknown column; use event fields such as event_id, kind, event_time, lot, "
                "or flat lot.code, lot.product, lot.mass, lot.composition",
                **where,
            )
        seen.add(name)
    return header


def csv_row_event(header: list[str], cells: list[str], line: int) -> dict:
    """One row as an event dict: empty cells are absent, JSON cells are decoded."""
    if len(cells) > len(header):
        raise EventFileError(
            f"row has {len(cells)} cells but the header names {len(header)} columns",
            line=line,
            column=len(header) + 1,
        )
    event: dict = {}
    lot: dict = {}
    for name, raw in zip(header, cells, strict=False):
        value = raw.strip()
        if not value:
            continue
        if name == "lot.composition":
            lot["composition"] = composition_cell(value, line=line, column=name)
        elif name in LOT_COLUMNS:
            lot[LOT_COLUMNS[name]] = value
        elif name == "lot" and not value.startswith(("{", '"')):
            event[name] = value  # a lot code: ship, receive, export and adjust name the lot
        elif name in JSON_COLUMNS:
            event[name] = _json_cell(value, line=line, column=name)
        else:
            event[name] = value
    if lot:
        if "lot" in event:
            raise EventFileError(
                "give the lot either as JSON in column 'lot' or in lot.* columns, not both",
                line=line,
                column="lot",
            )
        event["lot"] = lot
    return event


def _json_cell(value: str, *, line: int, column: str):
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise EventFileError(
            f"malformed JSON at character {exc.pos + 1} of the cell: {exc.msg}",
            line=line,
            column=column,
        ) from exc


def composition_cell(value: str, *, line: int, column: str) -> dict:
    """A composition as JSON or as the shorthand 'Nd=0.25;Pr=0.08' that people type."""
    if value.startswith("{"):
        return _json_cell(value, line=line, column=column)
    composition: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        symbol, equals, fraction = (s.strip() for s in part.partition("="))
        if not equals or not symbol or not fraction:
            raise EventFileError(
                f"{part!r} is not element=fraction; write e.g. Nd=0.25;Pr=0.08",
                line=line,
                column=column,
            )
        if symbol in composition:
            raise EventFileError(f"element {symbol} appears twice", line=line, column=column)
        composition[symbol] = fraction
    return composition
