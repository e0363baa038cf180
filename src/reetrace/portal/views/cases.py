"""Cases (opened from selected alerts, assigned, annotated, documented, closed) and
the risk ranking. National readers (regulator, auditor, administrator) read them;
only case managers change them. Enterprise users never see either."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.accounts import selectors as accounts_selectors
from reetrace.compliance import selectors
from reetrace.compliance.choices import CaseAction, Severity
from reetrace.compliance.outputs import case_detail_out
from reetrace.compliance.services import cases as case_services
from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.portal.access import portal_page
from reetrace.portal.forms.compliance import (
    AssignForm,
    AttachForm,
    CaseOpenForm,
    CloseForm,
    NoteForm,
)
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.alerts import alerts_table
from reetrace.portal.views.common import error_show, file_download, http_errors

ACTIONS = {"assign": AssignForm, "note": NoteForm, "attach": AttachForm, "close": CloseForm}


@portal_page(P.COMPLIANCE_RISK_READ)
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    with http_errors():
        cases = selectors.cases_visible(actor=request.user)
    if status in ("open", "closed"):
        cases = cases.filter(status=status)
    rows = [
        {
            "id": c.pk,
            "title": c.title,
            "status": c.get_status_display(),
            "assignee": c.assignee.username if c.assignee else "",
            "opened_at": c.opened_at,
            "closed_at": c.closed_at,
        }
        for c in cases[:500]
    ]
    table = Table(
        "cases",
        gettext_lazy("Cases"),
        [
            Column("id", gettext_lazy("Case"), "link", link_to("compliance:case", "id")),
            Column("title", gettext_lazy("Title")),
            Column("status", gettext_lazy("Status")),
            Column("assignee", gettext_lazy("Assignee")),
            Column("opened_at", gettext_lazy("Opened at"), "datetime"),
            Column("closed_at", gettext_lazy("Closed at"), "datetime"),
        ],
        rows,
        gettext_lazy("No cases."),
    )
    return export_or_render(request, "portal/cases.html", {"status": status}, [table])


@require_POST
@portal_page(P.COMPLIANCE_CASE_MANAGE)
def case_open_view(request: HttpRequest) -> HttpResponse:
    """Open a case from the alerts ticked on the alerts page."""
    ids = [int(v) for v in request.POST.getlist("alerts") if v.isdigit()]
    analysts = accounts_selectors.analysts()
    form = CaseOpenForm(request.POST, alert_ids=ids, analysts=analysts)
    if form.is_valid():
        data = form.cleaned_data
        try:
            alerts = selectors.alerts_for_case(actor=request.user, alert_ids=data["alerts"])
            assignee = (
                selectors.analyst_get(username=data["assignee"]) if data["assignee"] else None
            )
            case = case_services.case_open(
                actor=request.user,
                title=data["title"],
                alerts=alerts,
                assignee=assignee,
                hold_disclosure=data["hold_disclosure"],
            )
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(request, _("Case %(id)s opened.") % {"id": case.pk})
            return redirect("compliance:case", case_id=case.pk)
    return render(request, "portal/case_open.html", {"case_form": form}, status=400)


def _case_page(request: HttpRequest, case, forms: dict | None = None, status: int = 200):
    detail = case_detail_out(case)
    for step in detail["steps"]:
        step["action"] = CaseAction(step["action"]).label
    context = {"case": case, "detail": detail}
    if request.user.has_permission(P.COMPLIANCE_CASE_MANAGE) and case.status == "open":
        analysts = accounts_selectors.analysts()
        forms = forms or {}
        context["forms"] = {
            "assign": forms.get("assign") or AssignForm(prefix="assign", analysts=analysts),
            "note": forms.get("note") or NoteForm(prefix="note"),
            "attach": forms.get("attach") or AttachForm(prefix="attach"),
            "close": forms.get("close") or CloseForm(prefix="close"),
        }
    elif request.user.has_permission(P.COMPLIANCE_CASE_MANAGE):
        context["forms"] = {"close": (forms or {}).get("close") or CloseForm(prefix="close")}
    alerts = case.alerts.select_related("enterprise")
    tables = [alerts_table(alerts, national=True, table_id="case_alerts")]
    return export_or_render(request, "portal/case_detail.html", context, tables, status)


@portal_page(P.COMPLIANCE_RISK_READ)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's alerts, notes, attachments (with SHA-256) and journal."""
    with http_errors():
        case = selectors.case_visible(actor=request.user, case_id=case_id)
    return _case_page(request, case)


def _apply(user, case, action: str, form) -> None:
    data = form.cleaned_data
    if action == "assign":
        assignee = selectors.analyst_get(username=data["assignee"])
        case_services.case_assign(actor=user, case=case, assignee=assignee)
    elif action == "note":
        case_services.case_note(actor=user, case=case, text=data["text"])
    elif action == "attach":
        upload = data["file"]
        case_services.case_attach(actor=user, case=case, name=upload.name, content=upload.read())
    else:
        case_services.case_close(actor=user, case=case, outcome=data["outcome"])


@require_POST
@portal_page(P.COMPLIANCE_CASE_MANAGE)
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Assign, add a note or a document, or close with an outcome."""
    if action not in ACTIONS:
        raise Http404
    with http_errors():
        case = selectors.case_visible(actor=request.user, case_id=case_id)
    extra = {"analysts": accounts_selectors.analysts()} if action == "assign" else {}
    form = ACTIONS[action](request.POST, request.FILES, prefix=action, **extra)
    if form.is_valid():
        try:
            _apply(request.user, case, action, form)
        except ReetraceError as exc:
            error_show(form, exc, {"text": "text", "file": "file", "outcome": "outcome"})
        else:
            messages.success(request, _("Case %(id)s updated.") % {"id": case.pk})
            return redirect("compliance:case", case_id=case.pk)
    return _case_page(request, case, {action: form}, status=400)


@portal_page(P.COMPLIANCE_RISK_READ)
def case_file(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    with http_errors():
        case = selectors.case_visible(actor=request.user, case_id=case_id)
        attachment = selectors.attachment_of(case, file_id)
    return file_download(attachment.file, attachment.name)


def risk_table(rows: list[dict]) -> Table:
    return Table(
        "risk",
        gettext_lazy("Enterprises by risk score"),
        [
            Column("rank", gettext_lazy("Rank"), "number"),
            Column(
                "enterprise",
                gettext_lazy("Enterprise"),
                "link",
                link_to("portal:enterprise", "enterprise"),
            ),
            Column("name", gettext_lazy("Name")),
            Column("score", gettext_lazy("Risk score (points)")),
            Column("alerts", gettext_lazy("Live alerts by severity")),
        ],
        [
            {
                **r,
                "alerts": ", ".join(
                    f"{Severity(k).label} {v}" for k, v in sorted(r["alerts"].items())
                ),
            }
            for r in rows
        ],
        gettext_lazy("No live alerts."),
    )


@portal_page(P.COMPLIANCE_RISK_READ)
def risk(request: HttpRequest) -> HttpResponse:
    """Enterprises ranked by the weighted count of their live (not dismissed) alerts."""
    with http_errors():
        rows = selectors.risk_ranking(actor=request.user, limit=200)
    return export_or_render(request, "portal/risk.html", {}, [risk_table(rows)])
