"""Rows of an uploaded CSV or XLSX file, as the event dicts that capture accepts.

An XLSX sheet is turned into the same text cells a CSV row has (numbers without
float noise, spreadsheet dates as China Standard Time) and then goes through the
very function that reads CSV rows (`ledger.eventfiles.csv_row_event`), so both
formats mean exactly the same thing. Every row is read even after an error, so
the person fixing the file sees every problem at once, by row and column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from reetrace.ledger.eventfiles import EventFileError, csv_events, csv_row_event
from reetrace.ledger.rules import CHINA_TIME

__all__ = ["FileRows", "RowError", "file_rows"]


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class FileRows:
    events: list[tuple[int, dict]]
    errors: list[RowError]


def _reason(exc: EventFileError) -> str:
    """The message without its 'line n column c:' prefix (the table shows those)."""
    return exc.message.partition(": ")[2] or exc.message


def _column(exc: EventFileError) -> str:
    return "" if exc.column is None else str(exc.column)


def file_rows(content: bytes, fmt: str) -> FileRows:
    """Every event row of a file, and every row-level problem found while reading it."""
    try:
        rows = list(xlsx_cells(content) if fmt == "xlsx" else csv_cells(content))
    except EventFileError as exc:
        return FileRows([], [RowError(exc.line, _column(exc), _reason(exc))])
    if not rows:
        return FileRows([], [RowError(1, "", "the file is empty; the first row names the columns")])
    (header_line, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    try:
        list(csv_events([_csv_line(header)]))  # the CSV reader's own header checks
    except EventFileError as exc:
        return FileRows([], [RowError(header_line, _column(exc), _reason(exc))])
    events, errors = [], []
    for line, cells in body:
        if not any(c.strip() for c in cells):
            continue
        cells = _lot_code_cells(header, _trim(cells, len(header)))
        try:
            events.append((line, csv_row_event(header, cells, line)))
        except EventFileError as exc:
            errors.append(RowError(line, _column(exc), _reason(exc)))
    return FileRows(events, errors)


def _lot_code_cells(header: list[str], cells: list[str]) -> list[str]:
    """A bare lot code in the `lot` column, as people type it, quoted as the JSON
    string the CSV reader expects there (that column may also hold a lot object)."""
    if "lot" not in header:
        return cells
    position = header.index("lot")
    if position < len(cells):
        value = cells[position].strip()
        if value and value[0] not in '{"':
            cells = [*cells[:position], json.dumps(value), *cells[position + 1 :]]
    return cells


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _trim(cells: list[str], width: int) -> list[str]:
    """Drop empty cells past the header (spreadsheets pad rows to the widest one)."""
    while len(cells) > width and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def csv_cells(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise EventFileError(
            f"not UTF-8 text (byte 0x{content[exc.start]:02x}); save the file as UTF-8",
            line=line,
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise EventFileError(f"not valid CSV: {exc}", line=reader.line_num) from exc
        yield start, cells


def xlsx_cells(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text cells, numbered as the spreadsheet shows them."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as exc:
        raise EventFileError(f"not an XLSX workbook ({type(exc).__name__})", line=1) from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [xlsx_text(v) for v in values]
    finally:
        book.close()


def xlsx_text(value) -> str:
    """A cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=CHINA_TIME)
        return moment.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
