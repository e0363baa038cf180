"""What every partner-file loader shares: reading CSV text whatever its delimiter,
finding columns under their usual names, and collecting every problem with its
line and column before anything is written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from reetrace.core.csvtext import csv_records
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.reconciliation import reference

MAX_ERRORS = 200


@dataclass
class Parsed:
    """The rows a file contributes, what was skipped and why, and notes for the reader."""

    records: list[dict] = field(default_factory=list)
    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    def fail(self, line: int, column: str | None, exc: ReetraceError) -> None:
        self.errors.append(
            FieldError(exc.code, f"line {line}: {exc.message}", column, line, f"line {line}")
        )

    def raise_if_failed(self) -> None:
        if self.errors:
            raise BatchRejected(self.errors[:MAX_ERRORS])


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and (line number, row) pairs; the delimiter is sniffed (, ; tab |)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    try:
        fieldnames, records = csv_records(text, what="file", delimiter=delimiter)
    except ReetraceError as exc:
        raise BatchRejected([exc.as_field_error()]) from exc
    header = [h.strip() for h in fieldnames]
    if not header:
        raise BatchRejected([FieldError(ErrorCode.INVALID, "the file is empty", None, 1, "line 1")])
    rows = [
        (number + 2, {(k or "").strip(): (v or "").strip() for k, v in row.items() if k})
        for number, row in enumerate(records)
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]
    return header, rows


def columns(header: list[str], aliases: dict[str, tuple[str, ...]], required: set[str]) -> dict:
    """field -> the file's column name, matched case-insensitively against aliases."""
    lower = {h.lower(): h for h in header}
    found = {}
    for name, options in aliases.items():
        match = next((lower[o.lower()] for o in options if o.lower() in lower), None)
        if match:
            found[name] = match
    missing = sorted(required - set(found))
    if missing:
        errors = [
            FieldError(
                ErrorCode.INVALID,
                f"no column for {name}; expected one of {', '.join(aliases[name])}",
                name,
                1,
                "header",
            )
            for name in missing
        ]
        raise BatchRejected(errors)
    return found


def number(raw: str, *, column: str) -> Decimal:
    """A non-negative decimal; thousands separators are not accepted (ambiguous)."""
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{column} {raw!r} is not a number", field=column
        ) from exc
    if not value.is_finite() or value < 0:
        raise ReetraceError(ErrorCode.INVALID, f"{column} {raw!r} must be >= 0", field=column)
    return value


def yyyymm(raw: str, *, column: str) -> date | None:
    """'202503' -> 2025-03-01; an annual total (YYYY or Comext's YYYY52) -> None."""
    raw = raw.strip().replace("-", "")
    if len(raw) == 4 and raw.isdigit() or len(raw) == 6 and raw.endswith("52"):
        return None
    try:
        if len(raw) != 6:
            raise ValueError(raw)
        return date(int(raw[:4]), int(raw[4:]), 1)
    except ValueError as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{column} {raw!r} is not a month YYYYMM", field=column
        ) from exc


AGGREGATE_PRODUCTS = {"TOTAL", "ALL", "AG2", "AG4", "AG6"}


def product(raw: str, *, column: str, parsed: Parsed) -> str | None:
    """The HS-6 of a product code in scope, or None (counted as skipped) when the
    code is an aggregate or a line outside the rare-earth tables."""
    code = raw.strip().replace(".", "").replace(" ", "")
    if code.upper() in AGGREGATE_PRODUCTS or code.isdigit() and len(code) in (2, 4):
        parsed.skipped["aggregate product code"] += 1
        return None
    hs6 = reference.hs6_of(code, field=column)
    if hs6 is None:
        parsed.skipped["product outside the rare-earth lines"] += 1
        return None
    if len(code) > 6 and code not in reference.national_lines():
        note = f"code {code} is not in the reference tables; read as HS {hs6}"
        if note not in parsed.notes:
            parsed.notes.append(note)
    return hs6


def record(**fields) -> dict:
    """A PartnerRecord's fields, with its product group from the HS-6."""
    hs6 = fields.get("hs6") or ""
    group = fields.pop("group", None) or reference.hs6_table()[hs6]["group"]
    return fields | {"hs6": hs6, "group": group}
