"""Downloadable upload templates: the columns of each event kind and one example row.

Columns are the API's field names (flat `lot.*` columns for the new lot of an
origin event), so a file, a JSON batch and a form all say the same thing.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from reetrace.ledger.codes import lot_code_from_number

__all__ = ["TEMPLATE_KINDS", "template_content"]

_LOT = ["lot.code", "lot.product", "lot.mass", "lot.composition", "lot.site", "lot.external_ref"]
_HEAD = ["event_id", "kind", "event_time"]
_TIME = "2025-03-01T09:00:00+08:00"
_EXAMPLE_LOT = lot_code_from_number(424242)

COLUMNS: dict[str, list[str]] = {
    "mine": [*_HEAD, "quota", *_LOT],
    "import": [*_HEAD, "customs_declaration", "origin_country", *_LOT],
    "recycle": [*_HEAD, "source", *_LOT],
    "ship": [*_HEAD, "lot", "mass", "buyer", "unit_price", "currency", "contract"],
    "receive": [*_HEAD, "shipment", "mass"],
    "export": [
        *_HEAD,
        *("lot", "mass", "customs_declaration", "hs_code", "destination"),
        *("consignee", "end_user", "licence", "fob_value", "currency"),
    ],
    "adjust": [*_HEAD, "lot", "mass", "reason", "note"],
    "transform": [*_HEAD, "process", "quota", "inputs", "outputs"],
}
_NEW_LOT = {
    "lot.product": "ORE-BASTNAESITE",
    "lot.mass": "1000 kg",
    "lot.composition": "La=0.015;Ce=0.025;Nd=0.008",
}
EXAMPLES: dict[str, dict[str, str]] = {
    "mine": {"quota": "Q-2025-MINING-1", **_NEW_LOT},
    "import": {"customs_declaration": "CD-2025-0001", "origin_country": "MM", **_NEW_LOT},
    "recycle": {
        "source": "sintered NdFeB swarf",
        **_NEW_LOT,
        "lot.product": "SCRAP-MAGNET",
        "lot.composition": "Nd=0.22;Pr=0.06;Dy=0.01",
    },
    "ship": {
        "lot": _EXAMPLE_LOT,
        "mass": "250 kg",
        "buyer": "91110000XXXXXXXXXX",
        "unit_price": "420.00",
        "currency": "CNY",
        "contract": "C-2025-0001",
    },
    "receive": {"shipment": "sale-2025-0001", "mass": "250 kg"},
    "export": {
        "lot": _EXAMPLE_LOT,
        "mass": "100 kg",
        "customs_declaration": "EX-2025-0001",
        "hs_code": "8505111000",
        "destination": "DE",
        "consignee": "Motoren GmbH",
        "end_user": "Motoren GmbH",
        "fob_value": "52000.00",
        "currency": "USD",
    },
    "adjust": {"lot": _EXAMPLE_LOT, "mass": "-2.5 kg", "reason": "stock_count", "note": "count"},
    "transform": {
        "process": "blending",
        "inputs": f'[{{"lot": "{_EXAMPLE_LOT}", "mass": "500 kg"}}]',
        "outputs": '[{"product": "MIXED-CARBONATE", "mass": "500 kg", '
        '"composition": {"Nd": "0.008"}}]',
    },
}
TEMPLATE_KINDS = list(COLUMNS)


def _example(kind: str) -> list[str]:
    values = {"event_id": f"{kind}-0001", "kind": kind, "event_time": _TIME, **EXAMPLES[kind]}
    return [values.get(column, "") for column in COLUMNS[kind]]


def template_content(kind: str, fmt: str) -> bytes:
    """The header and one example row for `kind`, as CSV (UTF-8) or XLSX bytes."""
    rows = [COLUMNS[kind], _example(kind)]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode()
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    for row in rows:
        sheet.append(row)  # text cells: codes and times stay exactly as written
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
