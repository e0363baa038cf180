"""The dated reference price table: import from CSV, and prices on a date.

The shipped default (data/reference_prices.csv) holds the SMM quotes of
FACTS.md section 7, low end of each range, in CNY per kg of the form. A row is
valid from its date until the next row of the same element and form.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from reetrace.compliance import rules
from reetrace.compliance.models import ReferencePrice
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.registry.elements import ELEMENTS

DEFAULT_PRICES = Path(__file__).parent / "data" / "reference_prices.csv"
COLUMNS = ("element", "form", "valid_from", "cny_per_kg", "source")


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


class PriceBook:
    """Metal-equivalent prices per element on any date, from the oxide rows."""

    def __init__(self, form: str = "oxide"):
        self.series: dict[str, tuple[list[date], list[float]]] = {}
        rows = defaultdict(list)
        for p in ReferencePrice.objects.filter(form=form).order_by("valid_from"):
            rows[p.element].append(
                (p.valid_from, rules.oxide_to_metal_price(p.element, float(p.cny_per_kg)))
            )
        for element, points in rows.items():
            self.series[element] = ([d for d, _ in points], [v for _, v in points])

    def metal_prices(self, on: date) -> dict[str, float]:
        """CNY per kg of metal for each element priced on `on` (latest row before it)."""
        found = {}
        for element, (dates, values) in self.series.items():
            index = bisect_right(dates, on) - 1
            if index >= 0:
                found[element] = values[index]
        return found
