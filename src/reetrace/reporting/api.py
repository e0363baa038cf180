"""Monthly reporting endpoints: close a month, see closed months."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from reetrace.core.access import requires
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.reporting.outputs import report_out
from reetrace.reporting.services import month_close
from reetrace.trace.selectors import enterprise_visible

router = Router(tags=["reporting"])
ERRORS = errors(400, 403, 404, 409)


class MonthlyReportOut(Schema):
    enterprise: str
    period: str
    closed_at: datetime
    closed_by: str
    deadline: date
    is_late: bool
    event_count: int
    totals: dict
    current_totals: dict


@router.post(
    "/enterprises/{identifier}/reports/{period}/close",
    response={201: MonthlyReportOut, **ERRORS},
    operation_id="reports_close",
)
@requires(Permission.REPORTING_REPORT_CLOSE)
def reports_close(request, identifier: str, period: str):
    """Close a finished month; afterwards events dated in it are accepted only as corrections."""
    enterprise = enterprise_visible(actor=request.auth, identifier=identifier)
    report = month_close(actor=request.auth, enterprise=enterprise, period=period_parse(period))
    return Status(201, report_out(report))


@router.get(
    "/enterprises/{identifier}/reports",
    response={200: list[MonthlyReportOut], **ERRORS},
    operation_id="reports_list",
)
@requires(Permission.REPORTING_REPORT_READ)
def reports_list(request, identifier: str):
    """Closed months of one enterprise, with declared and current totals."""
    enterprise = enterprise_visible(actor=request.auth, identifier=identifier)
    return [report_out(r) for r in enterprise.reports.select_related("closed_by")]
