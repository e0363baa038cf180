"""Loading a year's official working-day schedule, and the open clocks it moves."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.db.models import Q

from reetrace.accounts.models import User
from reetrace.exportcontrol.choices import OPEN_STATES
from reetrace.exportcontrol.models import Application, ScheduleDay, WorkingDaySchedule
from reetrace.exportcontrol.schedule import schedule_parse
from reetrace.exportcontrol.services.workflow import application_clock, decision_clocks_store
from reetrace.exportcontrol.workdays import WorkCalendar

__all__ = ["open_clocks", "schedule_load"]


def open_clocks(today: date) -> list[dict]:
    """Every accepted, undecided application's clock as it stands now."""
    calendar = WorkCalendar()
    found = []
    applications = Application.objects.filter(
        state__in=OPEN_STATES, accepted_on__isnull=False, decided_at__isnull=True
    ).order_by("number")
    for application in applications.prefetch_related("transitions"):
        clock = application_clock(application, today, calendar)
        if clock is not None:
            found.append(
                {
                    "number": application.number,
                    "due_date": clock.due,
                    "provisional": clock.provisional,
                }
            )
    return found


@transaction.atomic
def schedule_load(*, text: str, actor: User | None, today: date) -> dict:
    """Validate and store one year's schedule (replacing that year's, if loaded before),
    then recompute every open clock: each moves from provisional to official where the
    year was its only guess; the working days kept for decisions are counted again.
    Nothing is stored when the file is refused."""
    schedule = schedule_parse(text)
    before = {c["number"]: c for c in open_clocks(today)}
    WorkingDaySchedule.objects.filter(year=schedule.year).delete()
    row = WorkingDaySchedule.objects.create(
        year=schedule.year,
        authority=schedule.authority,
        notice=schedule.notice,
        title=schedule.title,
        issued=schedule.issued,
        sources=list(schedule.sources),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_by=actor,
    )
    ScheduleDay.objects.bulk_create(
        [
            ScheduleDay(schedule=row, day=d, working=False, name=n)
            for d, n in schedule.holidays.items()
        ]
        + [
            ScheduleDay(schedule=row, day=d, working=True, name=n)
            for d, n in schedule.workdays.items()
        ]
    )
    # Decisions whose count ran through this year (or was provisional) are counted again.
    decision_clocks_store(
        Application.objects.filter(
            Q(decision_working_days__isnull=True)
            | Q(accepted_on__year__lte=schedule.year, decided_at__year__gte=schedule.year - 1)
        )
    )
    recomputed = [
        clock | {"due_date_before": before[clock["number"]]["due_date"]}
        for clock in open_clocks(today)
        if clock["number"] in before
    ]
    return {
        "year": schedule.year,
        "notice": schedule.notice,
        "issued": schedule.issued,
        "sources": list(schedule.sources),
        "days_off": len(schedule.holidays),
        "adjusted_working_days": len(schedule.workdays),
        "recomputed": recomputed,
    }
