"""Reporting months as written by people ('2025-03') and stored by the ledger (a date)."""

from __future__ import annotations

from datetime import date

from reetrace.core.errors import ErrorCode, ReetraceError


def period_parse(raw: str, *, field: str = "period") -> date:
    """'2025-03' -> date(2025, 3, 1), or an error naming the field."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{field} {raw!r} must be a month like 2025-03", field=field
        ) from exc
