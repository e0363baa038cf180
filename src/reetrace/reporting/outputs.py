"""Monthly reports as the API shows them."""

from __future__ import annotations

from reetrace.reporting.models import MonthlyReport
from reetrace.reporting.services import month_totals


def report_out(report: MonthlyReport) -> dict:
    return {
        "enterprise": report.enterprise.identifier,
        "period": f"{report.period:%Y-%m}",
        "closed_at": report.closed_at,
        "closed_by": report.closed_by.username,
        "deadline": report.deadline,
        "is_late": report.is_late,
        "event_count": report.event_count,
        "totals": report.totals,
        "current_totals": month_totals(enterprise=report.enterprise, period=report.period),
    }
