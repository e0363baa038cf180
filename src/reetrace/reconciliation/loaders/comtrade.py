"""UN Comtrade CSV (the API's and the website's export): one row per reporter,
partner, flow, commodity, period.

Accepted columns (any case): reporterISO | reporterCode | reporter (ISO alpha-3 or
M49 number); partnerISO | partnerCode | partner; flowCode (M import, X export, RM /
RX re-imports and re-exports are skipped); cmdCode (HS, 6 digits); period (YYYYMM;
YYYY is an annual total and is skipped); netWgt (kg) or, when empty, grossWgt (kg,
marked gross) or qty with qtyUnitAbbr (kg, t, g); cifvalue, else primaryValue (CIF
for imports), else fobvalue, in US dollars.
"""

from __future__ import annotations

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import UNIT_TO_KG
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
    "reporter": ("reporterISO", "reporterCode", "reporter"),
    "partner": ("partnerISO", "partnerCode", "partner"),
    "flow": ("flowCode", "flow"),
    "product": ("cmdCode", "commodityCode", "cmd"),
    "period": ("period", "refPeriodId"),
    "net": ("netWgt", "netWeight"),
    "gross": ("grossWgt", "grossWeight"),
    "qty": ("qty",),
    "unit": ("qtyUnitAbbr", "qtyUnit"),
    "cif": ("cifvalue", "cifValue"),
    "primary": ("primaryValue",),
    "fob": ("fobvalue", "fobValue"),
}
REQUIRED = {"reporter", "partner", "flow", "product", "period"}
SKIPPED_FLOWS = {"X": "export flow", "RX": "re-export flow", "RM": "re-import flow"}


def parse(text: str, *, origin: str, weight_basis: str) -> Parsed:
    header, rows = read_rows(text)
    col = columns(header, ALIASES, REQUIRED)
    if not {"net", "gross", "qty"} & set(col) or not {"cif", "primary", "fob"} & set(col):
        raise ReetraceError(
            ErrorCode.INVALID, "need a weight (netWgt, grossWgt, qty) and a value column"
        )
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
    if flow in SKIPPED_FLOWS:
        parsed.skipped[SKIPPED_FLOWS[flow]] += 1
        return None
    if flow != "M":
        raise ReetraceError(
            ErrorCode.INVALID, f"flowCode {flow!r}: use M, X, RM or RX", field=col["flow"]
        )
    partner = reference.country_iso2(row[col["partner"]], field=col["partner"], system="m49")
    if partner != origin:
        parsed.skipped[f"partner other than {origin}"] += 1
        return None
    hs6 = product(row[col["product"]], column=col["product"], parsed=parsed)
    if hs6 is None:
        return None
    month = yyyymm(row[col["period"]], column=col["period"])
    if month is None:
        parsed.skipped["annual total"] += 1
        return None
    kg, basis = _weight(row, col, weight_basis)
    value, value_basis = _value(row, col)
    return record(
        reporter=reference.country_iso2(row[col["reporter"]], field=col["reporter"], system="m49"),
        product_code=row[col["product"]],
        hs6=hs6,
        month=month,
        kg=kg,
        weight_basis=basis,
        value=value,
        currency="USD",
        value_basis=value_basis,
    )


def _cell(row: dict, col: dict, name: str) -> str:
    return row.get(col.get(name, ""), "") or ""


def _weight(row: dict, col: dict, weight_basis: str):
    if _cell(row, col, "net"):
        return number(_cell(row, col, "net"), column=col["net"]), weight_basis
    if _cell(row, col, "gross"):
        return number(_cell(row, col, "gross"), column=col["gross"]), "gross"
    if _cell(row, col, "qty"):
        unit = _cell(row, col, "unit").lower() or "kg"
        if unit not in UNIT_TO_KG:
            raise ReetraceError(
                ErrorCode.UNKNOWN_UNIT,
                f"quantity unit {unit!r} is not a mass; use kg, t or g",
                field=col.get("unit", "qtyUnitAbbr"),
            )
        qty = number(_cell(row, col, "qty"), column=col["qty"])
        return qty * UNIT_TO_KG[unit], weight_basis
    raise ReetraceError(
        ErrorCode.INVALID,
        "no weight: netWgt, grossWgt and qty are empty",
        field=col.get("net", "netWgt"),
    )


def _value(row: dict, col: dict):
    for name, basis in (("cif", "cif"), ("primary", "cif"), ("fob", "fob")):
        if _cell(row, col, name):
            return number(_cell(row, col, name), column=col[name]), basis
    raise ReetraceError(
        ErrorCode.INVALID,
        "no value: cifvalue, primaryValue and fobvalue are empty",
        field=col.get("cif") or col.get("primary") or col.get("fob"),
    )
