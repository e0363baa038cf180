"""The statutory clock on the official Chinese working-day calendar.

A decision is due 45 working days after acceptance (docs/facts.md 3.2). Working days
are the State Council's: public holidays are off and the adjusted weekend days
(调休) are worked, so a weekday count would be wrong around the Spring Festival
and National Day. `chinesecalendar` publishes each year's schedule once the
State Council announces it. For a year it does not cover, the licensing
administrator loads the State Council's schedule as data (`schedule.py`,
`reetrace calendar load FILE`, `POST /api/v1/exportcontrol/calendar`); until then a
clock still answers, with a due date counted on weekends only and marked provisional
(`Clock.provisional`). Clocks are computed when read, so loading a schedule moves
every open clock at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.exportcontrol.models import ScheduleDay, WorkingDaySchedule

__all__ = [
    "CalendarNotCovered",
    "Clock",
    "Pause",
    "WorkCalendar",
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
            f"load the State Council's {day.year} schedule (reetrace calendar load FILE)",
            field="date",
        )


OFFICIAL, LOADED, PROVISIONAL = "chinesecalendar", "loaded schedule", "provisional"


@cache
def _official(day: date) -> bool:
    """chinesecalendar's answer, remembered (its tables ship with the package): it checks
    the date's range against its whole holiday table on every call (~30 us), and a clock
    counts every day since acceptance, so the licensing statistics asked it 200,000
    times (14 s at small scale). An uncovered day raises, and exceptions are not cached."""
    return chinese_calendar.is_workday(day)


class WorkCalendar:
    """Working days from chinesecalendar where it has the year, else from the schedule
    loaded for that year, else provisional (Monday to Friday). Loaded years are read
    once per calendar, so one clock costs one query per uncovered year."""

    def __init__(self) -> None:
        self._loaded: dict[int, dict[date, bool] | None] = {}

    def _schedule(self, year: int) -> dict[date, bool] | None:
        if year not in self._loaded:
            found = WorkingDaySchedule.objects.filter(year=year).exists()
            self._loaded[year] = (
                dict(ScheduleDay.objects.filter(schedule__year=year).values_list("day", "working"))
                if found
                else None
            )
        return self._loaded[year]

    def status(self, day: date) -> tuple[bool, str]:
        """(is a working day, where that answer comes from)."""
        try:
            return _official(day), OFFICIAL
        except NotImplementedError:
            pass
        schedule = self._schedule(day.year)
        if schedule is None:
            return day.weekday() < 5, PROVISIONAL
        return schedule.get(day, day.weekday() < 5), LOADED

    def is_working_day(self, day: date) -> bool:
        """Strict: raise CalendarNotCovered where neither the library nor a loaded
        schedule has the year."""
        working, source = self.status(day)
        if source == PROVISIONAL:
            raise CalendarNotCovered(day, f"chinesecalendar has no {day.year} and none is loaded")
        return working


def is_working_day(day: date) -> bool:
    return WorkCalendar().is_working_day(day)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    calendar = WorkCalendar()
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start`."""
    calendar = WorkCalendar()
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= calendar.is_working_day(day)
    return day


@dataclass(frozen=True)
class Pause:
    """Information was requested on `start`; the applicant answered on `end` (None: waiting)."""

    start: date
    end: date | None


@dataclass(frozen=True)
class Clock:
    """Where an accepted application stands on the statutory clock.

    The due date often lies weeks later, in a year the State Council has not
    published yet; until its schedule is loaded, the days of that year are counted
    Monday to Friday, and `provisional` says so, with the reason in `note`.
    """

    elapsed: int
    limit: int
    due: date
    paused: bool
    stopped: bool
    provisional: bool = False
    note: str | None = None

    @property
    def left(self) -> int:
        return self.limit - self.elapsed

    @property
    def overdue(self) -> bool:
        """More working days have passed than the law allows (needs no due date)."""
        return self.elapsed > self.limit


class _Counter:
    """Counts a clock's days on one calendar and remembers the years it had to guess."""

    def __init__(self, calendar: WorkCalendar, pauses: list[Pause], today: date):
        self.calendar, self.pauses, self.today = calendar, pauses, today
        self.guessed: set[int] = set()

    def counts(self, day: date) -> bool:
        for pause in self.pauses:
            end = pause.end or self.today
            if pause.start < day <= end:
                return False
        working, source = self.calendar.status(day)
        if source == PROVISIONAL:
            self.guessed.add(day.year)
        return working


def clock_compute(
    *,
    accepted: date,
    today: date,
    pauses: list[Pause],
    limit: int,
    stopped_on: date | None,
    calendar: WorkCalendar | None = None,
) -> Clock:
    """Working days elapsed and left, and the due date, with information requests paused.

    Days from the request (exclusive) to the answer (inclusive) do not count; an
    open request pauses the clock up to today, so the due date moves with it. A
    decided application's clock stops on its decision date. Days of a year with no
    official schedule are counted Monday to Friday and make the clock provisional.
    """
    counter = _Counter(calendar or WorkCalendar(), pauses, today)
    until = min(stopped_on, today) if stopped_on else today
    elapsed = sum(
        counter.counts(accepted + timedelta(days=n)) for n in range(1, (until - accepted).days + 1)
    )
    due, counted = accepted, 0
    while counted < limit:
        due += timedelta(days=1)
        counted += counter.counts(due)
    note = None
    if counter.guessed:
        years = ", ".join(str(y) for y in sorted(counter.guessed))
        note = (
            f"no official working-day schedule for {years} yet (chinesecalendar lacks it and "
            "none is loaded): its days are counted Monday to Friday, so the due date is "
            "provisional until the State Council's schedule is loaded"
        )
    paused = any(p.end is None for p in pauses)
    return Clock(elapsed, limit, due, paused, stopped_on is not None, bool(counter.guessed), note)
