"""The statutory clock on the official calendar: holidays off, adjusted weekends worked."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.exportcontrol.workdays import (
    CalendarNotCovered,
    add_working_days,
    clock_compute,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday worked before the 2025 Spring Festival
        (date(2025, 1, 28), False),  # Spring Festival eve holiday
        (date(2025, 2, 4), False),
        (date(2025, 2, 8), True),  # Saturday worked after it
        (date(2025, 9, 28), True),  # Sunday worked before National Day 2025
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),  # Saturday worked after it
        (date(2026, 2, 14), True),  # Saturday worked before the 2026 Spring Festival
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),  # Saturday worked after it
    ],
)
def test_official_calendar(day, working):
    assert is_working_day(day) is working


def test_spring_festival_2025():
    # Fri 24 Jan -> Fri 7 Feb: Sun 26, Mon 27, then 5, 6, 7 Feb
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)  # the worked Saturday


def test_national_day_2025():
    assert add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3  # 9, 10, Sat 11


def test_spring_festival_2026():
    # Fri 13 Feb -> Sat 14 (worked), holiday 15-23, Tue 24
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_between_is_empty_for_the_same_or_an_earlier_day():
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 1)) == 0


@pytest.mark.django_db
def test_a_year_neither_the_library_nor_a_loaded_schedule_covers_fails_loudly():
    with pytest.raises(CalendarNotCovered, match="does not cover 2027-01-04"):
        is_working_day(date(2027, 1, 4))
    with pytest.raises(CalendarNotCovered, match="load the State Council's 2027 schedule"):
        add_working_days(date(2026, 12, 1), 45)


def test_clock_45_days_across_national_day():
    clock = clock_compute(
        accepted=date(2025, 9, 1), today=date(2025, 9, 30), pauses=[], limit=45, stopped_on=None
    )
    # 2-5, 8-12, 15-19, 22-26 Sep, Sun 28 (worked), 29, 30 Sep
    assert clock.elapsed == 22 and clock.left == 23
    # 1-8 Oct off, 9-10 Oct, Sat 11 (worked), then to the 45th working day
    assert clock.due == date(2025, 11, 7) and not clock.provisional and clock.note is None
    assert not clock.overdue and not clock.paused


@pytest.mark.django_db
def test_a_due_date_beyond_the_calendar_is_provisional_weekdays_only():
    # Decided in covered November 2026; the 45th working day falls in 2027.
    clock = clock_compute(
        accepted=date(2026, 11, 2),
        today=date(2026, 11, 25),
        pauses=[],
        limit=45,
        stopped_on=date(2026, 11, 20),
    )
    assert clock.elapsed == 14  # 3-6, 9-13, 16-20 Nov
    # 3 Nov - 31 Dec 2026: 43 working days; then Fri 1 Jan (New Year's Day, counted as a
    # weekday while 2027 is provisional) and Mon 4 Jan
    assert clock.due == date(2027, 1, 4) and clock.left == 31
    assert clock.provisional and "no official working-day schedule for 2027" in clock.note
    assert clock.stopped and not clock.overdue


@pytest.mark.django_db
def test_days_elapsed_beyond_the_calendar_count_provisionally():
    clock = clock_compute(
        accepted=date(2026, 12, 15), today=date(2027, 1, 5), pauses=[], limit=45, stopped_on=None
    )
    # 16-18, 21-25, 28-31 Dec (12, official), then Fri 1 (a weekday), 4 and 5 Jan 2027
    assert clock.elapsed == 15 and clock.provisional
