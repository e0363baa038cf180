"""The ministry's view of licensing: backlog, lead times on the working-day clock,
overdue applications, decisions by destination, element and applicant, and how
much of the licensed kg was actually exported."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from reetrace.exportcontrol.choices import CLOSED_STATES
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.control_list import control_list
from reetrace.exportcontrol.models import (
    Application,
    ApplicationItem,
    Drawdown,
    Licence,
    LicenceItem,
)
from reetrace.exportcontrol.services.workflow import application_clock, transitions_by_application
from reetrace.exportcontrol.workdays import WorkCalendar

__all__ = ["licensing_stats", "percentile"]


def percentile(values: list[int], share: float) -> float | None:
    """Nearest-rank percentile (p90 of [1..10] is 9): no interpolation between cases."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def _elements(codes: list[list[str]]) -> set[str]:
    """The elements named by the control codes of an application's items."""
    listing = control_list()
    found = set()
    for item_codes in codes:
        for code in item_codes:
            entry = listing.entry(code)
            found |= set(entry.elements) if entry else set()
    return found


def _decisions(applications: list[Application]) -> dict:
    table: dict[str, dict[str, Counter]] = {
        "by_destination": defaultdict(Counter),
        "by_element": defaultdict(Counter),
        "by_applicant": defaultdict(Counter),
    }
    decided = [a for a in applications if a.state in (S.APPROVED, S.REJECTED)]
    codes: dict[int, list[list[str]]] = defaultdict(list)
    items = ApplicationItem.objects.filter(application__state__in=(S.APPROVED, S.REJECTED))
    for application_id, item_codes in items.values_list("application_id", "control_codes"):
        codes[application_id].append(item_codes)
    for a in decided:
        table["by_destination"][a.destination][a.state] += 1
        table["by_applicant"][a.applicant.identifier][a.state] += 1
        for element in _elements(codes[a.pk]) or {"none"}:
            table["by_element"][element][a.state] += 1
    return {
        name: [
            {"key": key, "approved": c[S.APPROVED], "rejected": c[S.REJECTED]}
            for key, c in sorted(rows.items())
        ]
        for name, rows in table.items()
    }


def _clocks(applications: list[Application], today: date, histories: dict) -> dict:
    """Lead times and overdue rest on days elapsed; a clock that counts days of a year
    with no official schedule yet is provisional, and counted as such."""
    lead_times, overdue, provisional = [], [], 0
    calendar = WorkCalendar()
    for a in applications:
        clock = application_clock(a, today, calendar, histories.get(a.pk, []))
        if clock is None:
            continue
        provisional += clock.provisional
        if a.state in (S.APPROVED, S.REJECTED):
            lead_times.append(clock.elapsed)
        elif a.state not in CLOSED_STATES and clock.overdue:
            overdue.append(a.number)
    return {
        "decided": len(lead_times),
        # days -> decided applications: the histogram of the statistics page
        "lead_time_counts": dict(sorted(Counter(lead_times).items())),
        "median_working_days_to_decision": statistics.median(lead_times) if lead_times else None,
        "p90_working_days_to_decision": percentile(lead_times, 0.9),
        "overdue": sorted(overdue),
        "clock_provisional": provisional,
    }


def _kg() -> dict:
    licensed = LicenceItem.objects.filter(licence__kg_cap__isnull=True).aggregate(kg=Sum("kg"))
    capped = Licence.objects.filter(kg_cap__isnull=False).aggregate(kg=Sum("kg_cap"))
    exported = Drawdown.objects.filter(event__corrected_by__isnull=True).aggregate(kg=Sum("kg"))
    return {
        "licensed_kg": (licensed["kg"] or Decimal(0)) + (capped["kg"] or Decimal(0)),
        "exported_kg": exported["kg"] or Decimal(0),
    }


def licensing_stats(*, today: date, with_applicants: bool = True) -> dict:
    """All figures for the ministry; `with_applicants=False` drops per-company rows."""
    everything = Application.objects.all()
    fields = ("number", "state", "destination", "accepted_on", "decided_at")
    applications = list(
        everything.select_related("applicant").only(*fields, "applicant__identifier")
    )
    histories = transitions_by_application(everything)
    backlog = Counter(a.state for a in applications if a.state not in CLOSED_STATES)
    body = {
        "as_of": today,
        "applications": len(applications),
        "backlog": [{"state": s, "count": backlog[s]} for s in S if s in backlog],
        **_clocks(applications, today, histories),
        **_decisions(applications),
        **_kg(),
    }
    if not with_applicants:
        body["by_applicant"] = []
        body["overdue"] = []
    return body
