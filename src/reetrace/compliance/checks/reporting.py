"""Monthly reports: each domestic enterprise closes every month by the deadline.

A report closed late, or never, is the cheapest signal there is and the one an
enterprise can fix itself, so these alerts are shared with the enterprise by
default (`share` in config.toml). An enterprise owes a report for every month
from its first month in the ledger on, whether or not it had events.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.conf import settings
from django.db.models import Max, Min

from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.ledger.models import Event, Posting
from reetrace.ledger.rules import CHINA_TIME, report_deadline
from reetrace.registry.models import Enterprise
from reetrace.reporting.models import MonthlyReport


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _deadline(period: date) -> date:
    return report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)


class ReportLate(Check):
    """A month closed after its deadline (the 10th of the next month).

    Parameters: `severity`, `share` (shared with the enterprise when raised).
    """

    name = "report_late"
    title = "monthly report closed late"

    def findings(self, window: Window) -> Iterator[Finding]:
        reports = MonthlyReport.objects.filter(
            is_late=True, closed_at__lte=window.as_of, **window.period_filter()
        ).select_related("enterprise")
        for report in reports.order_by("period", "pk"):
            closed = report.closed_at.astimezone(CHINA_TIME).date()
            days = (closed - report.deadline).days
            yield Finding(
                rule=self.name,
                key=f"{report.enterprise.identifier}|{report.period:%Y-%m}",
                severity=self.params["severity"],
                enterprise_id=report.enterprise_id,
                period=report.period,
                explanation=(
                    f"the {report.period:%Y-%m} report of {report.enterprise.identifier} was "
                    f"closed on {closed}, {days} day(s) after the deadline {report.deadline}."
                ),
                figures={
                    "expected": str(report.deadline),
                    "observed": str(closed),
                    "tolerance": 0,
                    "unit": "date",
                    "days_late": days,
                },
                shared=self.params["share"],
            )


class ReportMissing(Check):
    """A month whose deadline passed (by `--as-of`) without the report being closed.

    Parameters: `severity`, `share`. Months count from the enterprise's first
    month in the ledger (as reporter or holder) up to the newest month any event
    is dated in: a ledger loaded for a past year does not owe the months after it.
    """

    name = "report_missing"
    title = "monthly report missing"

    def findings(self, window: Window) -> Iterator[Finding]:
        today = window.as_of.astimezone(CHINA_TIME).date()
        closed = set(
            MonthlyReport.objects.filter(closed_at__lte=window.as_of).values_list(
                "enterprise_id", "period"
            )
        )
        names = dict(Enterprise.objects.filter(country="CN").values_list("pk", "identifier"))
        horizon = Event.objects.aggregate(last=Max("period"))["last"]
        last = min(d for d in (window.end, horizon) if d is not None) if horizon else None
        for enterprise_id, first in sorted(self._first_months(window).items()):
            if enterprise_id not in names:
                continue
            month = max(first, window.start) if window.start else first
            while _deadline(month) < today and last is not None and month <= last:
                if (enterprise_id, month) not in closed:
                    yield self._finding(enterprise_id, names[enterprise_id], month)
                month = _next_month(month)

    def _first_months(self, window: Window) -> dict[int, date]:
        first: dict[int, date] = {}
        known = Event.objects.all()
        for pk, month in known.values_list("reporter_id").annotate(m=Min("period")).order_by():
            first[pk] = month
        held = Posting.objects.all()
        for pk, month in held.values_list("holder_id").annotate(m=Min("period")).order_by():
            first[pk] = min(month, first.get(pk, month))
        return first

    def _finding(self, enterprise_id: int, identifier: str, month: date) -> Finding:
        return Finding(
            rule=self.name,
            key=f"{identifier}|{month:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=enterprise_id,
            period=month,
            explanation=(
                f"{identifier} has not closed its {month:%Y-%m} report; the deadline was "
                f"{_deadline(month)}."
            ),
            figures={
                "expected": str(_deadline(month)),
                "observed": None,
                "tolerance": 0,
                "unit": "date",
            },
            shared=self.params["share"],
        )
