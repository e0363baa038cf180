"""The ministry's view of licensing: backlog, lead times on the working-day clock,
overdue applications, decisions by destination, element and applicant, and how
much of the licensed kg was actually exported."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum, TextField
from django.db.models.functions import Cast

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
from reetrace.ledger.selectors import in_force

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


def _decisions() -> dict:
    """Approved and rejected applications per destination, applicant and element, counted
    in the database (an application counts once per element its items name)."""
    decided = Application.objects.filter(state__in=(S.APPROVED, S.REJECTED))
    table: dict[str, dict[str, Counter]] = {
        "by_destination": defaultdict(Counter),
        "by_applicant": defaultdict(Counter),
        "by_element": defaultdict(Counter),
    }
    for name, field in (
        ("by_destination", "destination"),
        ("by_applicant", "applicant__identifier"),
    ):
        counts = decided.values_list(field, "state").annotate(n=Count("pk")).order_by()
        for key, state, n in counts:
            table[name][key][state] += n
    for element, state, n in _by_element((S.APPROVED, S.REJECTED)):
        table["by_element"][element][state] += n
    return {
        name: [
            {"key": key, "approved": c[S.APPROVED], "rejected": c[S.REJECTED]}
            for key, c in sorted(rows.items())
        ]
        for name, rows in table.items()
    }


def _by_element(states: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
    """(element, state, applications) of the applications in `states`, each counted once per
    element its items name ("none" when they name none).

    An application of one item (nearly all) is counted per list of control codes in the
    database, grouped on the list's text (no JSON decoded or compared per row), and the
    few lists turned into elements here; only applications of several items are read
    item by item, to take the union of their elements. (Reading and decoding every item
    of every decision took 0.5 s for 12,000 applications.)"""
    items = ApplicationItem.objects.filter(application__state__in=states)
    several = list(
        ApplicationItem.objects.values("application_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("application_id", flat=True)
    )
    named: dict[str, set[str]] = {}

    def elements(codes: str | list[str]) -> set[str]:
        key = codes if isinstance(codes, str) else json.dumps(codes)
        if key not in named:
            named[key] = _elements([json.loads(key)])
        return named[key]

    single = (
        items.exclude(application_id__in=several)
        .annotate(codes=Cast("control_codes", TextField()))
        .values_list("codes", "application__state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for codes, state, n in single:
        for element in elements(codes) or {"none"}:
            yield element, state, n
    union: dict[int, set[str]] = defaultdict(set)
    states: dict[int, str] = {}
    if not several:
        return
    for pk, state, codes in items.filter(application_id__in=several).values_list(
        "application_id", "application__state", "control_codes"
    ):
        union[pk] |= elements(codes)
        states[pk] = state
    for pk, state in states.items():
        for element in union[pk] or {"none"}:
            yield element, state, 1


def _clocks(today: date) -> dict:
    """Lead times and overdue rest on days elapsed. A decided application's days are
    stored at its decision; clocks still running, and decided ones whose count is
    provisional (a year with no official schedule yet), are counted here, and a
    provisional clock is counted as such."""
    decided = (S.APPROVED, S.REJECTED)
    stored = Application.objects.filter(state__in=decided, decision_working_days__isnull=False)
    days = stored.values("decision_working_days").annotate(n=Count("pk")).order_by()
    lead = Counter(dict(days.values_list("decision_working_days", "n")))
    overdue, provisional = [], 0
    calendar = WorkCalendar()
    live = Application.objects.filter(accepted_on__isnull=False, decision_working_days__isnull=True)
    histories = transitions_by_application(live)
    fields = ("number", "state", "accepted_on", "decided_at")
    for a in live.only(*fields):
        clock = application_clock(a, today, calendar, histories.get(a.pk, []))
        if clock is None:
            continue
        provisional += clock.provisional
        if a.state in decided:
            lead[clock.elapsed] += 1
        elif a.state not in CLOSED_STATES and clock.overdue:
            overdue.append(a.number)
    lead_times = sorted(lead.elements())
    return {
        "decided": len(lead_times),
        # days -> decided applications: the histogram of the statistics page
        "lead_time_counts": dict(sorted(lead.items())),
        "median_working_days_to_decision": statistics.median(lead_times) if lead_times else None,
        "p90_working_days_to_decision": percentile(lead_times, 0.9),
        "overdue": sorted(overdue),
        "clock_provisional": provisional,
    }


def _kg() -> dict:
    licensed = LicenceItem.objects.filter(licence__kg_cap__isnull=True).aggregate(kg=Sum("kg"))
    capped = Licence.objects.filter(kg_cap__isnull=False).aggregate(kg=Sum("kg_cap"))
    exported = in_force(Drawdown.objects.all()).aggregate(kg=Sum("kg"))
    return {
        "licensed_kg": (licensed["kg"] or Decimal(0)) + (capped["kg"] or Decimal(0)),
        "exported_kg": exported["kg"] or Decimal(0),
    }


def licensing_stats(*, today: date, with_applicants: bool = True) -> dict:
    """All figures for the ministry; `with_applicants=False` drops per-company rows.

    Counted in the database and from the working days kept at each decision, so the
    cost follows the applications still open, not all that were ever made."""
    states = Counter(
        dict(Application.objects.values_list("state").annotate(n=Count("pk")).order_by())
    )
    body = {
        "as_of": today,
        "applications": sum(states.values()),
        "backlog": [
            {"state": s, "count": states[s]} for s in S if s not in CLOSED_STATES and states[s]
        ],
        **_clocks(today),
        **_decisions(),
        **_kg(),
    }
    if not with_applicants:
        body["by_applicant"] = []
        body["overdue"] = []
    return body
