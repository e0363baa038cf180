"""Alerts: the filtered list (with downloads), one alert with its evidence, the
analysts' triage / dismiss / share actions, and detection runs in the background.

Enterprise users reach the same list and detail, narrowed by the selectors to the
alerts shared with them about their own enterprise, without history or actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.accounts import selectors as accounts_selectors
from reetrace.compliance import selectors
from reetrace.compliance.choices import AlertAction, AlertStatus, Severity
from reetrace.compliance.outputs import alert_detail_out
from reetrace.compliance.services import alerts as alert_services
from reetrace.compliance.services.detection import run_create
from reetrace.compliance.tasks import detection_enqueue
from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.ledger.choices import EventKind
from reetrace.portal.access import portal_page
from reetrace.portal.figures import figure_rows
from reetrace.portal.forms.compliance import (
    AlertFilterForm,
    CaseOpenForm,
    DismissForm,
    ReasonForm,
    RunForm,
    ShareForm,
)
from reetrace.portal.paging import Listing, ListTable
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import error_show, http_errors

ACTIONS = {"triage": ReasonForm, "dismiss": DismissForm, "share": ShareForm}


# Most severe first (the default order, then newest); notices last.
SEVERITY_RANK = Case(
    *(When(severity=s, then=Value(rank)) for rank, s in enumerate(Severity.values)),
    output_field=IntegerField(),
)
ALERT_SORTS = {
    "severity": ("-severity_rank", "-period", "-created_at"),
    "id": ("-pk",),
    "period": ("-period", "rule"),
    "rule": ("rule", "-period"),
    "enterprise": ("enterprise__identifier", "-period"),
    "status": ("status", "-severity_rank", "-period"),
}


def alert_rows(alerts) -> list[dict]:
    return [
        {
            "id": a.pk,
            "period": f"{a.period:%Y-%m}",
            "rule": a.rule,
            "severity": a.get_severity_display(),
            "enterprise": f"{a.enterprise.identifier} · {a.enterprise.display_name}",
            "status": a.get_status_display(),
            "explanation": a.explanation,
        }
        for a in alerts
    ]


def alerts_table(alerts, *, national: bool, table_id: str = "alerts") -> Table:
    """Alerts as a table; the enterprise column is left out for the enterprise itself.

    A queryset is paged on the server (severity then recency first); a list is shown whole.
    """
    columns = [
        Column("id", gettext_lazy("Alert"), "link", link_to("compliance:alert", "id")),
        Column("period", gettext_lazy("Month")),
        Column("rule", gettext_lazy("Rule")),
        Column("severity", gettext_lazy("Severity")),
        Column("enterprise", gettext_lazy("Enterprise")),
        Column("status", gettext_lazy("Status")),
        Column("explanation", gettext_lazy("Finding")),
    ]
    if not national:
        columns = [c for c in columns if c.key not in ("enterprise", "status")]
    title, empty = gettext_lazy("Alerts"), gettext_lazy("No alerts.")
    if isinstance(alerts, QuerySet):
        listing = Listing(
            alerts.annotate(severity_rank=SEVERITY_RANK), alert_rows, ALERT_SORTS, "severity"
        )
        return ListTable(table_id, title, columns, [], empty, listing=listing)
    return Table(table_id, title, columns, alert_rows(alerts), empty)


@portal_page(P.COMPLIANCE_ALERT_READ)
def alert_list(request: HttpRequest) -> HttpResponse:
    """Filter by rule, severity, status, enterprise and month; select alerts for a case."""
    user = request.user
    form = AlertFilterForm(request.GET or None, national=user.is_national)
    filters = form.cleaned_data if form.is_valid() else {}
    alerts = selectors.alerts_filter(actor=user, **{k: v for k, v in filters.items() if v})
    context = {"form": form, "national": user.is_national}
    if user.has_permission(P.COMPLIANCE_CASE_MANAGE):
        context["case_form"] = CaseOpenForm(analysts=accounts_selectors.analysts())
    if user.has_permission(P.COMPLIANCE_DETECT_RUN):
        context["run_form"] = RunForm()
    table = alerts_table(alerts, national=user.is_national)
    return export_or_render(request, "portal/alerts.html", context, [table])


def evidence_table(evidence: list[dict], *, national: bool) -> Table:
    """The events behind an alert; national users follow the reporter to its page."""

    def reporter_link(row: dict) -> str:
        return reverse("portal:enterprise", args=[row["reporter"]]) if national else ""

    rows = [{**e, "kind": EventKind(e["kind"]).label} for e in evidence]
    return Table(
        "evidence",
        gettext_lazy("Events"),
        [
            Column("event_id", gettext_lazy("Event id")),
            Column("kind", gettext_lazy("Kind")),
            Column("reporter", gettext_lazy("Reporter"), "link", reporter_link),
            Column("event_time", gettext_lazy("Event time"), "datetime"),
            Column("period", gettext_lazy("Month")),
        ],
        rows,
        gettext_lazy("No events to show."),
    )


def _alert_page(request: HttpRequest, alert, forms: dict | None = None, status: int = 200):
    user = request.user
    detail = alert_detail_out(alert, actor=user)
    for h in detail["history"]:
        h["action"] = AlertAction(h["action"]).label
        h["from_status"] = AlertStatus(h["from_status"]).label
        h["to_status"] = AlertStatus(h["to_status"]).label
    context = {
        "alert": alert,
        "detail": detail,
        "figures": figure_rows(alert.figures),
        "lot_links": user.is_national or bool(user.enterprise_id),
    }
    if user.has_permission(P.COMPLIANCE_ALERT_TRIAGE):
        forms = forms or {}
        context["forms"] = {
            "triage": forms.get("triage") or ReasonForm(prefix="triage"),
            "dismiss": forms.get("dismiss") or DismissForm(prefix="dismiss"),
            "share": forms.get("share")
            or ShareForm(
                prefix="share", initial={"shared": "0" if alert.shared_with_enterprise else "1"}
            ),
        }
    tables = [evidence_table(detail["evidence"], national=user.is_national)]
    return export_or_render(request, "portal/alert_detail.html", context, tables, status)


@portal_page(P.COMPLIANCE_ALERT_READ)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The finding, its figures with units, the lots and events behind it, the history."""
    with http_errors():
        alert = selectors.alert_visible(actor=request.user, alert_id=alert_id)
    return _alert_page(request, alert)


def _apply(user, alert, action: str, data: dict):
    if action == "triage":
        return alert_services.alert_triage(actor=user, alert=alert, reason=data["reason"])
    if action == "dismiss":
        return alert_services.alert_dismiss(actor=user, alert=alert, reason=data["reason"])
    return alert_services.alert_share(
        actor=user, alert=alert, shared=data["shared"], reason=data["reason"]
    )


@require_POST
@portal_page(P.COMPLIANCE_ALERT_TRIAGE)
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    """Triage, dismiss (with a reason) or share; refusals are shown next to the field."""
    if action not in ACTIONS:
        raise Http404
    with http_errors():
        alert = selectors.alert_visible(actor=request.user, alert_id=alert_id)
    form = ACTIONS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            _apply(request.user, alert, action, form.cleaned_data)
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(request, _("Alert %(id)s updated.") % {"id": alert.pk})
            return redirect("compliance:alert", alert_id=alert.pk)
    return _alert_page(request, alert, {action: form}, status=400)


@require_POST
@portal_page(P.COMPLIANCE_DETECT_RUN)
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a detection run; the job runs in the background and the run page follows it."""
    form = RunForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = run_create(
                actor=request.user,
                rules=data["rules"] or None,
                start=data["start"],
                end=data["end"],
            )
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            detection_enqueue(run)
            return redirect("compliance:run", run_id=run.pk)
    return render(request, "portal/run_form.html", {"run_form": form}, status=400)


def _progress(run) -> dict:
    """Rules done: run_execute saves each rule's counts as it finishes."""
    total = len(run.rules) or 1
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "done": len(run.counts),
        "total": total,
        "finished": run.status in ("done", "failed"),
    }


@portal_page(P.COMPLIANCE_DETECT_RUN)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    with http_errors():
        run = selectors.run_visible(actor=request.user, run_id=run_id)
    counts = [
        {"rule": rule, **run.counts.get(rule, {"found": None, "new": None})} for rule in run.rules
    ]
    table = Table(
        "rule_counts",
        gettext_lazy("Findings per rule"),
        [
            Column("rule", gettext_lazy("Rule")),
            Column("found", gettext_lazy("Findings (alerts)"), "number"),
            Column("new", gettext_lazy("New (alerts)"), "number"),
        ],
        counts,
        gettext_lazy("No rules in this run."),
    )
    context = {"run": run, "progress": _progress(run)}
    return export_or_render(request, "portal/run.html", context, [table])


@portal_page(P.COMPLIANCE_DETECT_RUN)
def run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """Polled by the run page's progress bar."""
    with http_errors():
        run = selectors.run_visible(actor=request.user, run_id=run_id)
    return JsonResponse(_progress(run))
