"""Tables of rows under typed, titled columns, and their CSV or XLSX download.

The portal's pages render them (`portal/tables.py`), and the API writes the same
files from them (the audit journal's download), so a file from a page and from
the API has one format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
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

    def cells(self) -> Iterable[list[tuple[Column, Any, str | None]]]:
        """Rows as (column, value, link) for the template."""
        for row in self.rows:
            yield [(c, row.get(c.key), c.link(row) if c.link else None) for c in self.columns]


def _plain(value: Any) -> Any:
    """A cell value a spreadsheet understands: numbers stay numbers, times lose zones."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (Decimal, int, float, date, str)) or value is None:
        return value
    return str(value)


def table_file(table: Table, fmt: str) -> HttpResponse:
    """The table as a CSV or XLSX download."""
    headers = [str(c.header) for c in table.columns]
    rows = [[_plain(row.get(c.key)) for c in table.columns] for row in table.rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(["" if v is None else v for v in r] for r in rows)
        content: bytes = ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel reads UTF-8
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = slugify(table.id)[:31] or "table"
        sheet.append(headers)
        for r in rows:
            sheet.append(r)  # openpyxl writes Decimal as a number, exactly as shown
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(table.id)}.{fmt}"'
    return response
