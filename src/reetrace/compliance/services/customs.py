"""Customs records: loading China Customs' declarations so imports and exports can be
matched against what customs itself recorded.

The file is the synthetic generator's `customs_declarations.csv` (one row per
declaration: declaration, flow, enterprise, country, product, kg, date, fob_usd,
and for exports consignee and arrival_country); the same columns serve a real
extract. Loading is idempotent: a number already stored is skipped, never rewritten.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from reetrace.compliance.models import CustomsDeclaration
from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = ["customs_import", "customs_records_add", "declaration_number"]

REQUIRED = ("declaration", "flow", "enterprise", "country", "kg", "date")


def declaration_number(raw: str) -> str:
    """The form numbers are compared in: no surrounding blanks, upper case."""
    return (raw or "").strip().upper()


def _row(record: dict, line: int, source: str) -> CustomsDeclaration:
    missing = [name for name in REQUIRED if not (record.get(name) or "").strip()]
    if missing:
        raise ReetraceError(
            ErrorCode.INVALID, f"line {line}: missing {', '.join(missing)}", field=missing[0]
        )
    flow = record["flow"].strip().lower()
    if flow not in CustomsDeclaration.Flow.values:
        raise ReetraceError(
            ErrorCode.INVALID, f"line {line}: flow must be import or export", field="flow"
        )
    try:
        kg = Decimal(record["kg"].strip())
        fob = Decimal(record["fob_usd"]) if (record.get("fob_usd") or "").strip() else None
        day = date.fromisoformat(record["date"].strip())
    except (InvalidOperation, ValueError) as exc:
        raise ReetraceError(ErrorCode.INVALID, f"line {line}: {exc}", field="kg") from exc
    hs = (record.get("hs_code") or "").strip()
    return CustomsDeclaration(
        number=declaration_number(record["declaration"]),
        flow=flow,
        declarant=record["enterprise"].strip(),
        country=record["country"].strip().upper(),
        arrival_country=(record.get("arrival_country") or "").strip().upper(),
        consignee=(record.get("consignee") or "").strip(),
        product=(record.get("product") or "").strip(),
        hs_code=hs,
        kg=kg,
        date=day,
        fob_usd=fob,
        source=source,
    )


@transaction.atomic
def customs_records_add(records: Iterable[dict], *, source: str = "") -> int:
    """Store customs records (dicts with the CSV's columns); returns how many were new."""
    rows: dict[str, CustomsDeclaration] = {}
    for line, record in enumerate(records, start=2):
        row = _row(record, line, source)
        rows.setdefault(row.number, row)
    numbers = list(rows)
    known: set[str] = set()
    for start in range(0, len(numbers), 500):
        known |= set(
            CustomsDeclaration.objects.filter(number__in=numbers[start : start + 500]).values_list(
                "number", flat=True
            )
        )
    new = [row for number, row in rows.items() if number not in known]
    CustomsDeclaration.objects.bulk_create(new, batch_size=500)
    return len(new)


def customs_import(*, path: Path) -> int:
    """Load a customs CSV; every row is checked before anything is written."""
    with open(path, encoding="utf-8", newline="") as handle:
        return customs_records_add(csv.DictReader(handle), source=Path(path).name)
