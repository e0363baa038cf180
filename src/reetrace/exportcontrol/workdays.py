"""The statutory clock on the official Chinese working-day calendar.

A decision is due 45 working days after acceptance (docs/facts.md 3.2). Working days
are the State Council's: public holidays are off and the adjusted weekend days
(调休) are worked, so a weekday count would be wrong around the Spring Festival
and National Day. `chinesecalendar` publishes each year's schedule once the
State Council announces it; for a year it does not cover we fail loudly rather
than guess a due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = [
    "CalendarNotCovered",
    "Clock",
    "Pause",
    "add_working_days",
    "clock_compute",
    "is_working_day",
    "working_days_between",
]


class CalendarNotCovered(ReetraceError):
    """The working-day calendar has no official schedule for this year yet."""

    status = 503

    def __init__(self, day: date, detail: str):
        super().__init__(
            ErrorCode.INVALID,
            f"the official working-day calendar does not cover {day.isoformat()} ({detail}); "
            "upgrade the chinesecalendar package once the State Council publishes that year",
            field="date",
        )


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarNotCovered(day, str(exc)) from exc


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


@dataclass(frozen=True)
class Pause:
    """Information was requested on `start`; the applicant answered on `end` (None: waiting)."""

    start: date
    end: date | None


@dataclass(frozen=True)
class Clock:
    """Where an accepted application stands on the statutory clock.

    `elapsed` is known whenever the days from acceptance to the decision (or
    today) are on the official calendar. The due date often lies weeks later, in
    a year the State Council has not published yet; then `due` is None and
    `due_unknown` carries the calendar's message, so callers show why instead of
    a made-up date and still use the days elapsed.
    """

    elapsed: int
    limit: int
    due: date | None
    paused: bool
    stopped: bool
    due_unknown: str | None = None

    @property
    def left(self) -> int | None:
        """Working days left; None with the due date, since both hang on the same calendar."""
        return None if self.due is None else self.limit - self.elapsed

    @property
    def overdue(self) -> bool:
        """More working days have passed than the law allows (needs no due date)."""
        return self.elapsed > self.limit


def _counts(day: date, pauses: list[Pause], today: date) -> bool:
    for pause in pauses:
        end = pause.end or today
        if pause.start < day <= end:
            return False
    return is_working_day(day)


def _due(accepted: date, pauses: list[Pause], today: date, limit: int) -> date:
    due = accepted
    counted = 0
    while counted < limit:
        due += timedelta(days=1)
        counted += _counts(due, pauses, today)
    return due


def clock_compute(
    *, accepted: date, today: date, pauses: list[Pause], limit: int, stopped_on: date | None
) -> Clock:
    """Working days elapsed and left, and the due date, with information requests paused.

    Days from the request (exclusive) to the answer (inclusive) do not count; an
    open request pauses the clock up to today, so the due date moves with it. A
    decided application's clock stops on its decision date. Raises
    `CalendarNotCovered` only when the elapsed days themselves are not covered;
    an uncovered due date leaves `due` None with the reason in `due_unknown`.
    """
    until = min(stopped_on, today) if stopped_on else today
    elapsed = sum(
        _counts(accepted + timedelta(days=n), pauses, today)
        for n in range(1, (until - accepted).days + 1)
    )
    paused = any(p.end is None for p in pauses)
    try:
        due: date | None = _due(accepted, pauses, today, limit)
        unknown = None
    except CalendarNotCovered as exc:
        due, unknown = None, exc.message
    return Clock(elapsed, limit, due, paused, stopped_on is not None, unknown)
