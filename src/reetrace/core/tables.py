"""Tables of rows under typed, titled columns, and their CSV or XLSX download.

The portal's pages render them (`portal/tables.py`), and the API writes the same
files from them (the audit journal's download), so a file from a page and from
the API has one format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

__all__ = ["FORMATS", "Column", "Table", "table_file"]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Column:
    key: str
    header: Any  # a lazy translation; the unit goes in the header, e.g. "Mass (kg)"
    kind: str = "text"  # text | kg | reo | number | number3 | date | datetime | link
    link: Callable[[dict], str] | None = None


@dataclass
class Table:
    id: str
    title: Any
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    empty: Any = ""
    # When `rows` is one page of a longer list: the whole list, read as the file is written.
    stream: Callable[[], Iterable[dict]] | None = None
    pager: Any = None  # the page's counts and links (portal.paging.Pager)

    def cells(self) -> Iterable[list[tuple[Column, Any, str | None]]]:
        """Rows as (column, value, link) for the template."""
        for row in self.rows:
            yield [(c, row.get(c.key), c.link(row) if c.link else None) for c in self.columns]


def _plain(value: Any) -> Any:
    """A cell value a spreadsheet understands: numbers stay numbers, times are China
    Standard Time (the portal's), written as ISO 8601 in both formats."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (Decimal, int, float, date, str)) or value is None:
        return value
    return str(value)


def _iso(value: Any) -> Any:
    """CSV cells: dates and times as ISO 8601 ('2025-12-31 23:59:00'), the rest as is."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(headers)).encode()  # BOM: Excel reads UTF-8
    for r in rows:
        yield writer.writerow([_iso(v) for v in r]).encode()


def table_file(table: Table, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The table as a CSV (streamed row by row) or XLSX (written row by row) download.

    A paged table writes its whole list (`stream`), not the page on screen.
    """
    headers = [str(c.header) for c in table.columns]
    source = table.stream() if table.stream else table.rows
    rows = ([_plain(row.get(c.key)) for c in table.columns] for row in source)
    disposition = f'attachment; filename="{slugify(table.id)}.{fmt}"'
    if fmt == "csv":
        streamed = StreamingHttpResponse(_csv_lines(headers, rows), content_type=FORMATS[fmt])
        streamed["Content-Disposition"] = disposition
        return streamed
    book = Workbook(write_only=True)
    sheet = book.create_sheet(slugify(table.id)[:31] or "table")
    sheet.append(headers)
    for r in rows:
        sheet.append(r)  # openpyxl writes Decimal as a number, exactly as shown
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=FORMATS[fmt])
    response["Content-Disposition"] = disposition
    return response
