"""What the reconciliation pages show, built from the services' report dicts: the
grid with a colour per cell, the chart data, and the downloadable tables (the grid
is one of them).

Kept apart from the views so they stay thin; everything here is pure shaping of
`comparison_report()`, `cell_declarations()` and `importer_status()` output.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reetrace.core.tables import Column, Table
from reetrace.portal.tables import link_to
from reetrace.reconciliation.choices import LineStatus

__all__ = [
    "cells_table",
    "datasets_table",
    "declarations_table",
    "grid_table",
    "importers_table",
    "parts_rows",
    "report_charts",
]

PART_LABELS = {
    "timing": gettext_lazy("timing"),
    "valuation": gettext_lazy("valuation"),
    "transit": gettext_lazy("transit"),
    "classification": gettext_lazy("classification"),
    "units": gettext_lazy("units"),
    "unexplained": gettext_lazy("unexplained"),
}


def datasets_table(rows) -> Table:
    return Table(
        "datasets",
        gettext_lazy("Loaded partner datasets"),
        [
            Column(
                "name",
                gettext_lazy("Dataset"),
                "link",
                link_to("reconciliation:comparison", "id"),
            ),
            Column("source", gettext_lazy("Source")),
            Column("vintage", gettext_lazy("Vintage"), "date"),
            Column("aggregate", gettext_lazy("Aggregate definition")),
            Column("rows_loaded", gettext_lazy("Rows loaded"), "number"),
            Column("loaded_at", gettext_lazy("Loaded at"), "datetime"),
        ],
        [
            {
                "id": d.pk,
                "name": d.name,
                "source": d.source,
                "vintage": d.vintage,
                "aggregate": d.aggregate,
                "rows_loaded": d.rows_loaded,
                "loaded_at": d.loaded_at,
            }
            for d in rows
        ],
        gettext_lazy("No partner dataset loaded yet."),
    )


def grid_table(report: dict, query) -> Table:
    """Countries x months with the unexplained kg, downloadable like any table.

    On screen each cell also gets a colour from its size (|unexplained| against the
    largest in the grid) and a link that narrows the cells table to it; cells hidden
    for confidentiality have no colour and say so, in the download too.
    """
    months = sorted({m for row in report["grid"] for m in row["unexplained_kg"]})
    values = [
        abs(v) for row in report["grid"] for v in row["unexplained_kg"].values() if v is not None
    ]
    largest = max(values, default=Decimal(0)) or Decimal(1)
    hidden = _("hidden (fewer than 3 exporters)")
    columns = [Column("country", gettext_lazy("Country"))]
    columns += [Column(m, _("%(month)s (kg)") % {"month": m}, "kg") for m in months]
    rows = []
    for row in report["grid"]:
        cells, line = [], {"country": row["country"]}
        for month, column in zip(months, columns[1:], strict=True):
            present = month in row["unexplained_kg"]
            value = row["unexplained_kg"].get(month)
            strength = float(abs(value) / largest) if value is not None else 0.0
            query["country"], query["month"] = row["country"], month
            cells.append(
                {
                    "month": month,
                    "label": column.header,
                    "present": present,
                    "value": value,
                    "hidden": present and value is None,
                    "alpha": round(0.08 + 0.8 * strength, 2) if present and value else 0,
                    "link": f"?{query.urlencode()}#table-cells",
                }
            )
            line[month] = hidden if present and value is None else value
        rows.append({**line, "cells": cells})
    return Table(
        "gap_grid",
        gettext_lazy("Unexplained gap by country and month (kg)"),
        columns,
        rows,
        gettext_lazy("No cells in this scope."),
    )


def report_charts(report: dict, *, restricted: bool = False) -> dict:
    """The two monthly series and the waterfall from our total to theirs (kg); when
    `restricted` (a partner and some confidential cells) only the partner's series."""
    totals = report["totals"]
    parts = totals["parts_kg"] or {}
    if restricted:
        return {
            "series": {
                "months": [s["month"] for s in report["series"]],
                "ours": [],
                "theirs": [float(s["theirs_kg"]) for s in report["series"]],
                "ours_label": _("Our exports (kg)"),
                "theirs_label": _("Partner imports (kg)"),
            },
            "waterfall": None,
        }
    return {
        "series": {
            "months": [s["month"] for s in report["series"]],
            "ours": [float(s["ours_kg"]) for s in report["series"]],
            "theirs": [float(s["theirs_kg"]) for s in report["series"]],
            "ours_label": _("Our exports (kg)"),
            "theirs_label": _("Partner imports (kg)"),
        },
        "waterfall": {
            "labels": [_("Our exports")]
            + [str(PART_LABELS[p]) for p in report["parts"]]
            + [_("Partner imports")],
            "measures": ["absolute"] + ["relative"] * len(report["parts"]) + ["total"],
            "values": [float(totals["ours_kg"] or 0)]
            + [float(parts.get(p, 0)) for p in report["parts"]]
            + [0],
            "unit": "kg",
        },
    }


def parts_rows(report: dict) -> list[tuple[object, object]]:
    """The decomposition as (label, kg) for the list under the waterfall."""
    parts = report["totals"]["parts_kg"] or {}
    return [(PART_LABELS[p], parts.get(p)) for p in report["parts"]]


def _cell_link(dataset_id: int, query: str):
    def link(row: dict) -> str:
        args = [dataset_id, row["product"], row["country"], row["month"]]
        return reverse("reconciliation:cell", args=args) + f"?{query}"

    return link


def cells_table(report: dict, dataset_id: int, query: str, pick: dict) -> Table:
    """Each product x country x month cell; a grid click narrows it to one country-month."""
    rows = [
        {
            **c,
            "unexplained_kg": c["parts_kg"]["unexplained"] if c["parts_kg"] else None,
            "hidden": _("hidden (fewer than 3 exporters)") if c["confidential"] else "",
        }
        for c in report["cells"]
        if (not pick.get("country") or c["country"] == pick["country"])
        and (not pick.get("month") or c["month"] == pick["month"])
    ]
    return Table(
        "cells",
        gettext_lazy("Cells: product, country, month"),
        [
            Column("product", gettext_lazy("Product"), "link", _cell_link(dataset_id, query)),
            Column("product_label", gettext_lazy("Description")),
            Column("country", gettext_lazy("Country")),
            Column("month", gettext_lazy("Month")),
            Column("ours_kg", gettext_lazy("Our exports (kg)"), "kg"),
            Column("theirs_kg", gettext_lazy("Partner imports (kg)"), "kg"),
            Column("gap_kg", gettext_lazy("Gap (kg)"), "kg"),
            Column("unexplained_kg", gettext_lazy("Unexplained (kg)"), "kg"),
            Column("hidden", gettext_lazy("Confidentiality")),
        ],
        rows,
        gettext_lazy("No cells in this scope."),
    )


def declarations_table(found: dict) -> Table:
    return Table(
        "declarations",
        gettext_lazy("Export declarations of the cell"),
        [
            Column("event_id", gettext_lazy("Event id")),
            Column("date", gettext_lazy("Date"), "date"),
            Column("arrival_month", gettext_lazy("Modelled arrival month")),
            Column("exporter_name", gettext_lazy("Exporter")),
            Column("customs_declaration", gettext_lazy("Customs declaration")),
            Column("hs_code", gettext_lazy("HS code")),
            Column("consignee", gettext_lazy("Consignee")),
            Column("licence", gettext_lazy("Licence")),
            Column("lot", gettext_lazy("Lot"), "link", link_to("portal:lot", "lot")),
            Column("kg", gettext_lazy("Mass (kg)"), "kg"),
            Column("fob", gettext_lazy("FOB value")),
        ],
        [{**r, "fob": f"{r['fob_value']} {r['currency']}"} for r in found["items"]],
        gettext_lazy("No declarations to show."),
    )


def importers_table(rows: list[dict]) -> Table:
    return Table(
        "importers",
        gettext_lazy("Status per importer"),
        [
            Column("importer", gettext_lazy("Importer")),
            Column("kg_ordered", gettext_lazy("Ordered (kg)"), "kg"),
            Column("kg_shipped", gettext_lazy("Shipped (kg)"), "kg"),
            Column("kg_received", gettext_lazy("Received (kg)"), "kg"),
            Column("status", gettext_lazy("Lines by status")),
        ],
        [
            {
                **r,
                "status": "; ".join(
                    f"{LineStatus(status).label}: {s['lines']} ({s['kg_ordered']} kg, "
                    f"{s['since'] or '—'})"
                    for status, s in sorted(r["by_status"].items())
                ),
            }
            for r in rows
        ],
        gettext_lazy("No submissions yet."),
    )
