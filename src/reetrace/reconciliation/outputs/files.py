"""The comparison report as a Rich table for the terminal, JSON, or an XLSX workbook.

All three render the dict that services.comparison.comparison_report returns, so
they show the figures the API and the portal show.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from rich.console import Console
from rich.table import Table

__all__ = ["report_json", "report_print", "report_xlsx"]

KG_PARTS = ("timing", "transit", "classification", "units", "unexplained")
CELL_COLUMNS = [
    "product", "country", "month", "ours_kg", "theirs_kg", "gap_kg", "gap_pct",
    *[f"{p}_kg" for p in KG_PARTS], "ours_value", "theirs_value", "gap_value",
    "gap_value_pct", "valuation_value", "unexplained_value",
]  # fmt: skip


def _flat(cell: dict) -> dict:
    row = {k: cell.get(k) for k in CELL_COLUMNS if k in cell}
    parts_kg, parts_value = cell.get("parts_kg") or {}, cell.get("parts_value") or {}
    for part in KG_PARTS:
        row[f"{part}_kg"] = parts_kg.get(part)
    row["valuation_value"] = parts_value.get("valuation")
    row["unexplained_value"] = parts_value.get("unexplained")
    return {k: row.get(k) for k in CELL_COLUMNS}


def _text(value) -> str:
    return "" if value is None else str(value)


def report_json(report: dict) -> str:
    return json.dumps(report, default=str, indent=1, ensure_ascii=False)


def report_print(report: dict, console: Console | None = None) -> None:
    console = console or Console(width=200)
    d = report["dataset"]
    title = f"{d['name']} - {d['source']}, vintage {d['vintage']} ({d['aggregate']})"
    table = Table(title=title, caption=f"kg; values in {report['currency']}; gap = theirs - ours")
    for column in CELL_COLUMNS:
        table.add_column(column, justify="left" if column in ("product", "country") else "right")
    for cell in report["cells"]:
        table.add_row(*[_text(v) for v in _flat(cell).values()])
    totals = _flat(report["totals"] | {"product": "TOTAL", "country": "", "month": ""})
    table.add_row(*[_text(v) for v in totals.values()], style="bold")
    console.print(table)
    params = Table(title="parameters")
    params.add_column("parameter")
    params.add_column("value")
    for key, value in _parameters(report):
        params.add_row(key, value)
    console.print(params)


def _parameters(report: dict) -> list[tuple[str, str]]:
    rows = [(f"scope.{k}", _text(v)) for k, v in report["scope"].items()]
    for section, values in report["parameters"].items():
        if isinstance(values, dict):
            rows += [(f"{section}.{k}", json.dumps(v, default=str)) for k, v in values.items()]
        else:
            rows.append((section, _text(values)))
    rows += [(f"notes.{k}", json.dumps(v, default=str)) for k, v in report["notes"].items()]
    return rows


def report_xlsx(report: dict, path: Path) -> None:
    book = Workbook()
    cells = book.active
    cells.title = "cells"
    cells.append(CELL_COLUMNS)
    for cell in report["cells"]:
        cells.append([_xl(v) for v in _flat(cell).values()])
    cells.append([_xl(v) for v in _flat(report["totals"] | {"product": "TOTAL"}).values()])
    grid = book.create_sheet("grid")
    months = sorted({m for row in report["grid"] for m in row["unexplained_kg"]})
    grid.append(["country (unexplained kg)", *months])
    for row in report["grid"]:
        grid.append([row["country"], *[_xl(row["unexplained_kg"].get(m)) for m in months]])
    params = book.create_sheet("parameters")
    params.append(["parameter", "value"])
    for key, value in _parameters(report):
        params.append([key, value])
    book.save(path)


def _xl(value):
    """Numbers as numbers (openpyxl stores Decimal as a float cell), the rest as text."""
    return value if value is None or isinstance(value, (int, float, str)) else float(value)
