"""Compliance endpoints: detection runs, alerts and their triage, risk, cases.

Handlers stay thin: they validate the shape, call one selector or service and
render. Who sees which alert is decided in selectors.py.
"""

from __future__ import annotations

import base64
import binascii

from ninja import Query, Router, Status

from reetrace.compliance import selectors
from reetrace.compliance.outputs import (
    alert_detail_out,
    alert_out,
    case_detail_out,
    case_out,
    run_out,
)
from reetrace.compliance.schemas import (
    AlertDetailOut,
    AlertFilter,
    AlertOut,
    AssignIn,
    AttachmentIn,
    AttachmentOut,
    BalanceFilter,
    BalanceLineOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    DismissIn,
    NoteIn,
    NoteOut,
    OutcomeIn,
    ReasonIn,
    RiskOut,
    RunIn,
    RunOut,
    ShareIn,
)
from reetrace.compliance.services import alerts as alert_services
from reetrace.compliance.services import cases as case_services
from reetrace.compliance.services.detection import run_create
from reetrace.compliance.tasks import detection_enqueue
from reetrace.core.access import requires
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.paging import RowId, limit_query
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors

router = Router(tags=["compliance"])
ERRORS = errors(400, 403, 404, 409, 422)


@router.post(
    "/compliance/runs", response={201: RunOut, **ERRORS}, operation_id="detection_runs_start"
)
@requires(Permission.COMPLIANCE_DETECT_RUN)
def detection_runs_start(request, body: RunIn):
    """Queue a detection run (a background job) and return it; poll it by its id."""
    run = run_create(
        actor=request.auth,
        rules=body.rules,
        start=body.start,
        end=body.end,
        as_of=body.as_of,
        full=body.full,
    )
    detection_enqueue(run)
    return Status(201, run_out(run))


@router.get(
    "/compliance/runs/{run_id}", response={200: RunOut, **ERRORS}, operation_id="detection_runs_get"
)
@requires(Permission.COMPLIANCE_DETECT_RUN)
def detection_runs_get(request, run_id: RowId):
    """A detection run: status, counts per rule, log."""
    return run_out(selectors.run_visible(actor=request.auth, run_id=run_id))


@router.get(
    "/compliance/alerts", response={200: list[AlertOut], **ERRORS}, operation_id="alerts_list"
)
@requires(Permission.COMPLIANCE_ALERT_READ)
def alerts_list(request, filters: Query[AlertFilter]):
    """Alerts the caller may see (enterprise users: shared alerts about their enterprise)."""
    alerts = selectors.alerts_filter(
        actor=request.auth,
        rule=filters.rule,
        severity=filters.severity,
        status=filters.status,
        enterprise=filters.enterprise,
        period=period_parse(filters.period) if filters.period else None,
    )
    page = alerts[filters.offset : filters.offset + filters.limit]
    return [alert_out(a) for a in page]


@router.get(
    "/compliance/alerts/{alert_id}",
    response={200: AlertDetailOut, **ERRORS},
    operation_id="alerts_get",
)
@requires(Permission.COMPLIANCE_ALERT_READ)
def alerts_get(request, alert_id: RowId):
    """One alert with its figures, lots, events and (for national roles) its history."""
    alert = selectors.alert_visible(actor=request.auth, alert_id=alert_id)
    return alert_detail_out(alert, actor=request.auth)


@router.post(
    "/compliance/alerts/{alert_id}/triage",
    response={200: AlertOut, **ERRORS},
    operation_id="alerts_triage",
)
@requires(Permission.COMPLIANCE_ALERT_TRIAGE)
def alerts_triage(request, alert_id: RowId, body: ReasonIn):
    """Mark an alert as looked at and worth following (reopens a dismissed one)."""
    alert = selectors.alert_visible(actor=request.auth, alert_id=alert_id)
    return alert_out(
        alert_services.alert_triage(actor=request.auth, alert=alert, reason=body.reason)
    )


@router.post(
    "/compliance/alerts/{alert_id}/dismiss",
    response={200: AlertOut, **ERRORS},
    operation_id="alerts_dismiss",
)
@requires(Permission.COMPLIANCE_ALERT_TRIAGE)
def alerts_dismiss(request, alert_id: RowId, body: DismissIn):
    """Dismiss an alert with a reason; it stays visible to auditors."""
    alert = selectors.alert_visible(actor=request.auth, alert_id=alert_id)
    return alert_out(
        alert_services.alert_dismiss(actor=request.auth, alert=alert, reason=body.reason)
    )


@router.post(
    "/compliance/alerts/{alert_id}/share",
    response={200: AlertOut, **ERRORS},
    operation_id="alerts_share",
)
@requires(Permission.COMPLIANCE_ALERT_TRIAGE)
def alerts_share(request, alert_id: RowId, body: ShareIn):
    """Show an alert to the enterprise it is about (or hide it again)."""
    alert = selectors.alert_visible(actor=request.auth, alert_id=alert_id)
    shared = alert_services.alert_share(
        actor=request.auth, alert=alert, shared=body.shared, reason=body.reason
    )
    return alert_out(shared)


@router.get(
    "/compliance/risk", response={200: list[RiskOut], **ERRORS}, operation_id="risk_ranking"
)
@requires(Permission.COMPLIANCE_RISK_READ)
def risk_ranking(request, limit: int = limit_query(100, 1000)):
    """Enterprises ranked by risk score (weights in compliance/config.toml [risk])."""
    return selectors.risk_ranking(actor=request.auth, limit=limit)


@router.get(
    "/compliance/balance",
    response={200: list[BalanceLineOut], **ERRORS},
    operation_id="compliance_balance",
)
@requires(Permission.COMPLIANCE_ALERT_READ)
def compliance_balance(request, filters: Query[BalanceFilter]):
    """Mass balance per enterprise, month and element in kg REO: opening, each flow, closing.

    National roles see any enterprise (all when none is named); an enterprise user
    only its own.
    """
    lines = selectors.balance_lines(
        actor=request.auth,
        enterprise=filters.enterprise,
        start=period_parse(filters.start, field="from") if filters.start else None,
        end=period_parse(filters.end, field="to") if filters.end else None,
        element=filters.element,
    )
    return lines[filters.offset : filters.offset + filters.limit]


@router.post("/compliance/cases", response={201: CaseOut, **ERRORS}, operation_id="cases_open")
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def cases_open(request, body: CaseIn):
    """Open a case from one or more alerts, optionally assigned to an analyst."""
    alerts = selectors.alerts_for_case(actor=request.auth, alert_ids=body.alerts)
    assignee = selectors.analyst_get(username=body.assignee) if body.assignee else None
    case = case_services.case_open(
        actor=request.auth,
        title=body.title,
        alerts=alerts,
        assignee=assignee,
        hold_disclosure=body.hold_disclosure,
    )
    return Status(201, case_out(case))


# Cases are investigation files: the national readers (regulator, auditor, admin)
# read them under the risk permission; only case managers change them.
@router.get("/compliance/cases", response={200: list[CaseOut], **ERRORS}, operation_id="cases_list")
@requires(Permission.COMPLIANCE_RISK_READ)
def cases_list(request, status: str | None = None):
    """Cases, newest first, optionally only open or closed ones."""
    cases = selectors.cases_visible(actor=request.auth)
    if status:
        cases = cases.filter(status=status)
    return [case_out(c) for c in cases[:500]]


@router.get(
    "/compliance/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, operation_id="cases_get"
)
@requires(Permission.COMPLIANCE_RISK_READ)
def cases_get(request, case_id: RowId):
    """A case with its alerts, notes, attachments and journal."""
    return case_detail_out(selectors.case_visible(actor=request.auth, case_id=case_id))


@router.post(
    "/compliance/cases/{case_id}/assign",
    response={200: CaseOut, **ERRORS},
    operation_id="cases_assign",
)
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def cases_assign(request, case_id: RowId, body: AssignIn):
    """Give a case to an analyst."""
    case = selectors.case_visible(actor=request.auth, case_id=case_id)
    assignee = selectors.analyst_get(username=body.assignee)
    return case_out(case_services.case_assign(actor=request.auth, case=case, assignee=assignee))


@router.post(
    "/compliance/cases/{case_id}/notes",
    response={201: NoteOut, **ERRORS},
    operation_id="cases_note",
)
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def cases_note(request, case_id: RowId, body: NoteIn):
    """Add a note to an open case."""
    case = selectors.case_visible(actor=request.auth, case_id=case_id)
    note = case_services.case_note(actor=request.auth, case=case, text=body.text)
    return Status(
        201,
        {
            "id": note.pk,
            "author": note.author.username,
            "text": note.text,
            "created_at": note.created_at,
        },
    )


@router.post(
    "/compliance/cases/{case_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    operation_id="cases_attach",
)
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def cases_attach(request, case_id: RowId, body: AttachmentIn):
    """Attach a document (base64) to an open case; stored with its SHA-256 and size."""
    case = selectors.case_visible(actor=request.auth, case_id=case_id)
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, "content_base64 is not base64", field="content_base64"
        ) from exc
    a = case_services.case_attach(actor=request.auth, case=case, name=body.name, content=content)
    return Status(
        201,
        {
            "id": a.pk,
            "name": a.name,
            "sha256": a.sha256,
            "size": a.size,
            "uploaded_by": a.uploaded_by.username,
            "uploaded_at": a.uploaded_at,
        },
    )


@router.post(
    "/compliance/cases/{case_id}/close",
    response={200: CaseOut, **ERRORS},
    operation_id="cases_close",
)
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def cases_close(request, case_id: RowId, body: OutcomeIn):
    """Close a case with its outcome (closing again amends the outcome)."""
    case = selectors.case_visible(actor=request.auth, case_id=case_id)
    return case_out(case_services.case_close(actor=request.auth, case=case, outcome=body.outcome))
