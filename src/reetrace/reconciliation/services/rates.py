"""The monthly exchange-rate table: import from CSV, and conversion to US dollars.

The shipped default (data/exchange_rates.csv) holds approximate monthly averages
for 2024-2025 and placeholders for 2026-2027 (December 2025 carried forward), each
row marked approximate with its source; `reetrace import-rates FILE` replaces rows
month by month with official figures.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.core.periods import period_parse
from reetrace.reconciliation.loaders.common import number
from reetrace.reconciliation.models import ExchangeRate

__all__ = ["DEFAULT_RATES", "RateTable", "rates_import"]

DEFAULT_RATES = Path(__file__).resolve().parent.parent / "data" / "exchange_rates.csv"
CURRENCIES = ("USD", "CNY", "EUR")


def _rate_row(raw: dict, line: int) -> dict:
    currency = (raw.get("currency") or "").strip().upper()
    if currency not in CURRENCIES:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"currency {currency!r}: use {', '.join(CURRENCIES)}",
            field="currency",
        )
    rate = number(raw.get("units_per_usd") or "", column="units_per_usd")
    if not rate:
        raise ReetraceError(ErrorCode.INVALID, "units_per_usd must be > 0", field="units_per_usd")
    return {
        "month": period_parse((raw.get("month") or "").strip(), field="month"),
        "currency": currency,
        "units_per_usd": rate,
        "approximate": (raw.get("approximate") or "").strip().lower() in ("yes", "true", "1"),
        "source": (raw.get("source") or "").strip()[:300],
    }


@transaction.atomic
def rates_import(*, path: Path = DEFAULT_RATES) -> int:
    """Upsert every row of a rate CSV (month, currency, units_per_usd, approximate,
    source); all rows or none. Returns the rows read."""
    rows, errors = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for n, raw in enumerate(csv.DictReader(handle)):
            try:
                rows.append(_rate_row(raw, n + 2))
            except ReetraceError as exc:
                errors.append(FieldError(exc.code, exc.message, exc.field, n + 2, f"line {n + 2}"))
    if errors:
        raise BatchRejected(errors)
    for row in rows:
        ExchangeRate.objects.update_or_create(
            month=row.pop("month"), currency=row.pop("currency"), defaults=row
        )
    return len(rows)


class RateTable:
    """Rates read once per report; records which approximate months were used."""

    def __init__(self):
        self.rates = {
            (r.month, r.currency): (r.units_per_usd, r.approximate)
            for r in ExchangeRate.objects.all()
        }
        self.approximate_used: set[str] = set()

    def to_usd(self, value: Decimal, currency: str, month: date) -> Decimal:
        if currency == "USD":
            return value
        found = self.rates.get((month, currency.upper()))
        if found is None:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"no {currency} rate for {month:%Y-%m}; load one with `reetrace import-rates`",
                field="currency",
            )
        rate, approximate = found
        if approximate:
            self.approximate_used.add(f"{month:%Y-%m} {currency}")
        return value / rate
