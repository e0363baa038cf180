"""The report's shape: cells, totals, the country x month grid, the two series and
the parameters, with our figures hidden from partner analysts wherever fewer than
`confidentiality.min_exporters` exporters make up a cell (a single company's volume
or unit value would show)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from reetrace.reconciliation import reference
from reetrace.reconciliation.rules import PARTS, CellResult, percent

__all__ = ["report_out"]

KG = Decimal("0.001")
MONEY = Decimal("0.01")


def _kg(value: Decimal) -> Decimal:
    return value.quantize(KG, ROUND_HALF_EVEN)


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY, ROUND_HALF_EVEN)


def _label(product: str, by: str) -> str:
    if by == "group":
        return reference.group_name(product)
    return reference.hs6_table().get(product, {}).get("description", product)


def _figures(r: CellResult) -> dict:
    return {
        "ours_kg": _kg(r.ours_kg),
        "ours_value": _money(r.ours_value),
        "theirs_kg": _kg(r.theirs_kg),
        "theirs_value": _money(r.theirs_value),
        "gap_kg": _kg(r.gap_kg),
        "gap_value": _money(r.gap_value),
        "gap_pct": percent(r.gap_kg, r.ours_kg),
        "gap_value_pct": percent(r.gap_value, r.ours_value),
        "unexplained_pct": percent(r.parts_kg["unexplained"], r.ours_kg),
        "parts_kg": _rounded(r.parts_kg, r.gap_kg, _kg),
        "parts_value": _rounded(r.parts_value, r.gap_value, _money),
    }


def _rounded(parts: dict, gap: Decimal, rounding) -> dict:
    """Each part rounded, the unexplained one taking what rounding leaves, so the
    parts shown still sum exactly to the gap shown."""
    shown = {p: rounding(parts[p]) for p in PARTS if p != "unexplained"}
    shown["unexplained"] = rounding(gap) - sum(shown.values())
    return {p: shown[p] for p in PARTS}


def _hidden(r: CellResult) -> dict:
    return {
        "ours_kg": None,
        "ours_value": None,
        "theirs_kg": _kg(r.theirs_kg),
        "theirs_value": _money(r.theirs_value),
        "gap_kg": None,
        "gap_value": None,
        "gap_pct": None,
        "gap_value_pct": None,
        "unexplained_pct": None,
        "parts_kg": None,
        "parts_value": None,
    }


def _cell_out(r: CellResult, by: str, min_exporters: int) -> dict:
    confidential = 0 < len(r.exporters) < min_exporters
    head = {
        "product": r.cell.product,
        "product_label": _label(r.cell.product, by),
        "country": r.cell.country,
        "month": r.cell.month,
        "confidential": confidential,
    }
    return head | (_hidden(r) if confidential else _figures(r))


def _totals(results: list[CellResult]) -> dict:
    total = CellResult(cell=None)  # type: ignore[arg-type]
    total.parts_kg = {p: Decimal(0) for p in PARTS}
    total.parts_value = {p: Decimal(0) for p in PARTS}
    for r in results:
        total.ours_kg += r.ours_kg
        total.ours_value += r.ours_value
        total.theirs_kg += r.theirs_kg
        total.theirs_value += r.theirs_value
        for p in PARTS:
            total.parts_kg[p] += r.parts_kg[p]
            total.parts_value[p] += r.parts_value[p]
    return _figures(total)


def _grid(cells: list[dict]) -> list[dict]:
    """Country x month: unexplained kg summed over products (the page colours it)."""
    rows: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    for c in cells:
        value = None if c["confidential"] else c["parts_kg"]["unexplained"]
        before = rows[c["country"]].get(c["month"], Decimal(0))
        rows[c["country"]][c["month"]] = None if value is None or before is None else before + value
    return [
        {"country": k, "unexplained_kg": dict(sorted(v.items()))} for k, v in sorted(rows.items())
    ]


def _series(results: list[CellResult]) -> list[dict]:
    months: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in results:
        months[r.cell.month][0] += r.ours_kg
        months[r.cell.month][1] += r.theirs_kg
    return [
        {"month": m, "ours_kg": _kg(o), "theirs_kg": _kg(t)} for m, (o, t) in sorted(months.items())
    ]


def report_out(*, dataset, results, scope, settings, actor, notes) -> dict:
    hide = actor is not None and not actor.is_national
    min_exporters = int(settings.raw["confidentiality"]["min_exporters"]) if hide else 0
    cells = [_cell_out(r, scope.by, min_exporters) for r in results]
    # Totals and series over confidential cells would reveal the hidden volumes by
    # subtraction, so outside the national roles they cover the visible cells only.
    visible = [r for r, c in zip(results, cells, strict=True) if not c["confidential"]]
    return {
        "dataset": {
            "id": dataset.pk,
            "name": dataset.name,
            "format": dataset.format,
            "source": dataset.source,
            "vintage": dataset.vintage,
            "aggregate": dataset.aggregate,
        },
        "scope": scope.as_dict(),
        "currency": settings.raw["report_currency"],
        "parameters": settings.as_report(),
        "parts": list(PARTS),
        "cells": cells,
        "totals": _totals(visible),
        "grid": _grid(cells),
        "series": _series(visible),
        "confidential_cells": len(results) - len(visible),
        "notes": notes,
    }
