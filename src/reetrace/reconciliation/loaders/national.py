"""National customs totals: monthly tonnes by product group and destination (a third
series, e.g. GAC's published magnet exports). Columns (any case): month (YYYY-MM or
YYYYMM); product_group | group (a group key of data/groups.toml, or its name);
destination | country (ISO); tonnes | t, or kg; optionally value_usd. The figures
are our own side's FOB totals, so valuation and timing do not apply to them.
"""

from __future__ import annotations

from decimal import Decimal

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.reconciliation import reference
from reetrace.reconciliation.loaders.common import Parsed, columns, number, read_rows, yyyymm

ALIASES = {
    "month": ("month", "period"),
    "group": ("product_group", "group"),
    "country": ("destination", "country"),
    "tonnes": ("tonnes", "t", "quantity_t"),
    "kg": ("kg", "quantity_kg"),
    "value": ("value_usd", "value"),
}
REQUIRED = {"month", "group", "country"}


def parse(text: str, *, origin: str, weight_basis: str) -> Parsed:
    header, rows = read_rows(text)
    col = columns(header, ALIASES, REQUIRED)
    if "tonnes" not in col and "kg" not in col:
        raise ReetraceError(ErrorCode.INVALID, "need a tonnes or kg column", field="tonnes")
    by_name = {g["name"].lower(): key for key, g in reference.groups().items()}
    parsed = Parsed(rows_read=len(rows))
    for line, row in rows:
        try:
            parsed.records.append(_row(row, col, by_name, weight_basis) | {"line": line})
        except ReetraceError as exc:
            parsed.fail(line, exc.field, exc)
    return parsed


def _row(row: dict, col: dict, by_name: dict, weight_basis: str) -> dict:
    raw_group = row[col["group"]]
    group = raw_group if raw_group in reference.groups() else by_name.get(raw_group.lower())
    if group is None:
        raise ReetraceError(
            ErrorCode.INVALID, f"{raw_group!r} is not a product group", field=col["group"]
        )
    month = yyyymm(row[col["month"]], column=col["month"])
    if month is None:
        raise ReetraceError(ErrorCode.INVALID, "a month is needed", field=col["month"])
    if "tonnes" in col:
        kg = number(row[col["tonnes"]], column=col["tonnes"]) * Decimal(1000)
    else:
        kg = number(row[col["kg"]], column=col["kg"])
    value = row.get(col.get("value", ""), "")
    return {
        "reporter": reference.country_iso2(row[col["country"]], field=col["country"]),
        "product_code": group,
        "hs6": "",
        "group": group,
        "month": month,
        "kg": kg,
        "weight_basis": weight_basis,
        "value": number(value, column=col["value"]) if value else Decimal(0),
        "currency": "USD",
        "value_basis": "fob",
    }
