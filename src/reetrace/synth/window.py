"""The twelve months a dataset covers, ending at a chosen month.

The demo is anchored to today: by default the window ends with the last complete
month in China time, so every dashboard has data in its default period. Tests and
benchmarks pin the end month (`REFERENCE_END_MONTH` by default in code) so their
figures do not move with the calendar. Pure: the clock is read only by
`last_complete_month`, which callers pass the time to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "REFERENCE_END_MONTH",
    "Window",
    "last_complete_month",
    "month_add",
    "month_parse",
]

CHINA = ZoneInfo("Asia/Shanghai")
# The year config.toml's figures describe (docs/facts.md: 2025 exports, prices, quotas).
REFERENCE_END_MONTH = date(2025, 12, 1)
MONTHS = 12


def month_add(month: date, months: int) -> date:
    """The first day of the month `months` after `month` (negative: before)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_parse(text: str) -> date:
    """'2026-11' -> date(2026, 11, 1); ValueError naming the expected form otherwise."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a month like 2026-11") from exc


def last_complete_month(now: datetime) -> date:
    """The month before the current one where reporting months are kept (China time)."""
    today = now.astimezone(CHINA).date()
    return month_add(date(today.year, today.month, 1), -1)


@dataclass(frozen=True)
class Window:
    """Twelve consecutive months: days are numbered from 0 at the first month's first day."""

    end_month: date

    @property
    def first_day(self) -> date:
        return month_add(self.end_month, 1 - MONTHS)

    @property
    def last_day(self) -> date:
        return month_add(self.end_month, 1) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def months(self) -> list[date]:
        return [month_add(self.first_day, n) for n in range(MONTHS)]

    @property
    def years(self) -> list[int]:
        return sorted({m.year for m in self.months})

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def days_in(self, year: int) -> int:
        """How many of the window's days fall in `year`."""
        first = max(self.first_day, date(year, 1, 1))
        last = min(self.last_day, date(year, 12, 31))
        return max(0, (last - first).days + 1)

    def label(self) -> str:
        return f"{self.first_day:%Y-%m} to {self.end_month:%Y-%m}"
