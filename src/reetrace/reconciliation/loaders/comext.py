"""Eurostat Comext bulk CSV: one row per declarant, partner, CN8 product, flow, month.

Accepted columns (any case): DECLARANT_ISO | DECLARANT | REPORTER_ISO | REPORTER;
PARTNER_ISO | PARTNER; PRODUCT_NC | PRODUCT | CN8 | PRODUCT_CN; FLOW (1 import,
2 export); PERIOD (YYYYMM; YYYY52 is the annual total and is skipped);
VALUE_IN_EUROS | VALUE_EUR | VALUE; QUANTITY_IN_KG | QUANTITY_KG | QUANTITY; and
optionally WEIGHT_BASIS (net | gross). Values are CIF in euros; Comext quantities
are net mass. Numeric declarant and partner codes are read as Eurostat GEONOM.
"""

from __future__ import annotations

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.reconciliation import reference
from reetrace.reconciliation.loaders.common import (
    Parsed,
    columns,
    number,
    product,
    read_rows,
    record,
    yyyymm,
)

ALIASES = {
    "reporter": ("DECLARANT_ISO", "DECLARANT", "REPORTER_ISO", "REPORTER"),
    "partner": ("PARTNER_ISO", "PARTNER"),
    "product": ("PRODUCT_NC", "PRODUCT", "CN8", "PRODUCT_CN"),
    "flow": ("FLOW",),
    "period": ("PERIOD",),
    "value": ("VALUE_IN_EUROS", "VALUE_EUR", "VALUE"),
    "kg": ("QUANTITY_IN_KG", "QUANTITY_KG", "QUANTITY"),
    "basis": ("WEIGHT_BASIS",),
}
REQUIRED = {"reporter", "partner", "product", "flow", "period", "value", "kg"}
IMPORT_FLOWS = {"1", "I", "IMPORT", "M"}
EXPORT_FLOWS = {"2", "E", "EXPORT", "X"}


def parse(text: str, *, origin: str, weight_basis: str) -> Parsed:
    header, rows = read_rows(text)
    col = columns(header, ALIASES, REQUIRED)
    parsed = Parsed(rows_read=len(rows))
    for line, row in rows:
        try:
            found = _row(row, col, origin, weight_basis, parsed)
        except ReetraceError as exc:
            parsed.fail(line, exc.field, exc)
            continue
        if found:
            parsed.records.append(found | {"line": line})
    return parsed


def _row(row: dict, col: dict, origin: str, weight_basis: str, parsed: Parsed) -> dict | None:
    flow = row[col["flow"]].upper()
    if flow in EXPORT_FLOWS:
        parsed.skipped["export flow"] += 1
        return None
    if flow not in IMPORT_FLOWS:
        raise ReetraceError(
            ErrorCode.INVALID, f"FLOW {flow!r}: use 1 (import) or 2 (export)", field=col["flow"]
        )
    partner = reference.country_iso2(row[col["partner"]], field=col["partner"], system="geonom")
    if partner != origin:
        parsed.skipped[f"partner other than {origin}"] += 1
        return None
    hs6 = product(row[col["product"]], column=col["product"], parsed=parsed)
    month = yyyymm(row[col["period"]], column=col["period"])
    if hs6 is None:
        return None
    if month is None:
        parsed.skipped["annual total"] += 1
        return None
    return record(
        reporter=reference.country_iso2(
            row[col["reporter"]], field=col["reporter"], system="geonom"
        ),
        product_code=row[col["product"]].replace(" ", ""),
        hs6=hs6,
        month=month,
        kg=number(row[col["kg"]], column=col["kg"]),
        weight_basis=basis(row.get(col.get("basis", ""), ""), weight_basis, col.get("basis")),
        value=number(row[col["value"]], column=col["value"]),
        currency="EUR",
        value_basis="cif",
    )


def basis(raw: str, default: str, column: str | None) -> str:
    value = (raw or default).strip().lower()
    if value not in ("net", "gross"):
        raise ReetraceError(
            ErrorCode.UNKNOWN_UNIT, f"weight basis {raw!r}: use net or gross", field=column
        )
    return value
