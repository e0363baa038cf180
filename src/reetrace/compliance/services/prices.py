"""Loading the dated reference price table from CSV (`price_book.PriceBook` reads it)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from reetrace.compliance.models import ReferencePrice
from reetrace.compliance.price_book import DEFAULT_PRICES
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.registry.elements import ELEMENTS

__all__ = ["prices_import"]


def _row(raw: dict, line: int) -> dict:
    record = f"line {line}"
    element = (raw.get("element") or "").strip()
    if element not in ELEMENTS:
        raise ReetraceError(
            ErrorCode.INVALID, f"{element!r} is not an element", field="element", record=record
        )
    try:
        valid_from = date.fromisoformat((raw.get("valid_from") or "").strip())
        price = Decimal((raw.get("cny_per_kg") or "").strip())
    except (ValueError, InvalidOperation) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, "valid_from must be a date, cny_per_kg a number", record=record
        ) from exc
    return {
        "element": element,
        "form": (raw.get("form") or "").strip() or "oxide",
        "valid_from": valid_from,
        "cny_per_kg": price,
        "source": (raw.get("source") or "").strip()[:300],
    }


@transaction.atomic
def prices_import(*, path: Path = DEFAULT_PRICES) -> int:
    """Upsert every row of a price CSV; all rows or none. Returns the rows read."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [_row(raw, n + 2) for n, raw in enumerate(csv.DictReader(handle))]
    for row in rows:
        ReferencePrice.objects.update_or_create(
            element=row["element"],
            form=row["form"],
            valid_from=row["valid_from"],
            defaults={"cny_per_kg": row["cny_per_kg"], "source": row["source"]},
        )
    return len(rows)
