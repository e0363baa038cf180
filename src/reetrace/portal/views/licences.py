"""Licence applications as the applicant follows them: apply (items, consignee, end
user, end use, destination, contract), upload documents, submit, withdraw; state,
due date, what is missing and the history. Officers and customs read the same
detail page (licensing.py adds the decisions); partner analysts see state and dates."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.exportcontrol import outputs, selectors
from reetrace.exportcontrol.choices import (
    APPLICANT_ACTIONS,
    EDITABLE_STATES,
    OFFICER_ACTIONS,
    Action,
    DocumentKind,
)
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.services import applications
from reetrace.exportcontrol.services.workflow import TRANSITIONS, application_transition
from reetrace.exportcontrol.workdays import WorkCalendar
from reetrace.portal import selectors as portal_selectors
from reetrace.portal.access import portal_page
from reetrace.portal.forms.licences import (
    ActionForm,
    ApplicationForm,
    DecisionForm,
    DocumentForm,
    ItemRows,
    application_data,
    application_errors_show,
)
from reetrace.portal.paging import Listing, ListTable
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import error_show, file_download, forbidden_as_403, http_errors

APPLICATION_SORTS = {
    "number": ("-number",),
    "state": ("state", "-created_at"),
    "applicant": ("applicant__name_en", "-created_at"),
    "destination": ("destination", "-created_at"),
    "submitted_at": ("-created_at",),
}


def applications_table(applications, *, partner: bool = False, title=None) -> Table:
    """Applications with state and dates; partners get no applicant or destination.

    A queryset is paged on the server by keyset, newest first; only the page's rows
    get their statutory clock computed."""
    columns = [
        Column(
            "number",
            gettext_lazy("Application"),
            "link",
            link_to("exportcontrol:application", "number"),
        ),
        Column("state", gettext_lazy("State")),
        Column("applicant", gettext_lazy("Applicant")),
        Column("destination", gettext_lazy("Destination")),
        Column("submitted_at", gettext_lazy("Submitted at"), "datetime"),
        Column("accepted_on", gettext_lazy("Accepted on"), "date"),
        Column("due_date", gettext_lazy("Due date"), "date"),
        Column("decided_at", gettext_lazy("Decided at"), "datetime"),
    ]
    if partner:
        columns = [c for c in columns if c.key not in ("applicant", "destination")]
    title, empty = title or gettext_lazy("Licence applications"), gettext_lazy("No applications.")
    sorts = {k: v for k, v in APPLICATION_SORTS.items() if any(c.key == k for c in columns)}
    listing = Listing(applications, application_rows, sorts, "submitted_at")
    return ListTable("applications", title, columns, [], empty, listing=listing)


def application_rows(applications) -> list[dict]:
    """One page of applications as rows: state, dates and the clock (transitions
    fetched once for the page)."""
    applications = list(applications)
    prefetch_related_objects(applications, "transitions")
    on, calendar = selectors.today(), WorkCalendar()
    return [
        {
            **outputs.application_brief(a, on, calendar),
            "state": a.get_state_display(),
            "applicant": a.applicant.display_name,
            "destination": a.destination,
        }
        for a in applications
    ]


@portal_page(P.EXPORTCONTROL_APPLICATION_READ)
def application_list(request: HttpRequest) -> HttpResponse:
    """The applications the user may follow (a partner: its importers', state and dates)."""
    user = request.user
    state = request.GET.get("state", "")
    rows = selectors.applications_visible(actor=user)
    if state in S.values:
        rows = rows.filter(state=state)
    table = applications_table(rows, partner=user.scope.partner)
    context = {
        "state": state,
        "states": S.choices,
        "may_apply": user.has_permission(P.EXPORTCONTROL_APPLICATION_SUBMIT)
        and bool(user.enterprise_id),
    }
    return export_or_render(request, "portal/applications.html", context, [table])


def _new_page(request, form, items, status=200) -> HttpResponse:
    return render(
        request, "portal/application_new.html", {"form": form, "items": items}, status=status
    )


@portal_page(P.EXPORTCONTROL_APPLICATION_SUBMIT, enterprise=True)
def application_new(request: HttpRequest) -> HttpResponse:
    """A draft application; documents are uploaded on its page, then it is submitted."""
    products = list(portal_selectors.products_all())
    if request.method != "POST":
        items = ItemRows(prefix="items", form_kwargs={"products": products})
        return _new_page(request, ApplicationForm(), items)
    form = ApplicationForm(request.POST)
    items = ItemRows(request.POST, prefix="items", form_kwargs={"products": products})
    if not (form.is_valid() and items.is_valid()):
        return _new_page(request, form, items, status=400)
    try:
        application = applications.application_create(
            actor=request.user, data=application_data(form, items)
        )
    except ReetraceError as exc:
        application_errors_show(form, items, exc)
        return _new_page(request, form, items, status=400)
    messages.success(
        request,
        _("Draft %(number)s saved. Upload the documents, then submit it.")
        % {"number": application.number},
    )
    return redirect("exportcontrol:application", number=application.number)


def _actions(state: str, allowed: frozenset) -> list[tuple[str, str]]:
    return [(a, Action(a).label) for a in Action if a in allowed and state in TRANSITIONS[a][0]]


def _applicant_context(request, application, forms: dict) -> dict:
    user = request.user
    mine = user.enterprise_id == application.applicant_id
    if not (mine and user.has_permission(P.EXPORTCONTROL_APPLICATION_SUBMIT)):
        return {}
    context = {"applicant_actions": _actions(application.state, APPLICANT_ACTIONS)}
    context["action_form"] = forms.get("act") or ActionForm(prefix="act")
    if application.state in EDITABLE_STATES:
        context["document_form"] = forms.get("document") or DocumentForm(prefix="document")
    return context


def _officer_context(request, application, forms: dict) -> dict:
    if not request.user.has_permission(P.EXPORTCONTROL_APPLICATION_DECIDE):
        return {}
    actions = _actions(application.state, OFFICER_ACTIONS)
    form = forms.get("decide") or DecisionForm(prefix="decide", actions=actions)
    return {"decision_form": form if actions else None}


def items_table(items: list[dict]) -> Table:
    """What is applied for, one row per item, with the control codes it falls under."""
    rows = [
        {
            **i,
            "composition": " · ".join(f"{el} {f}" for el, f in sorted(i["composition"].items())),
            "value": f"{i['value']} {i['currency']}",
            "control_codes": ", ".join(i["control_codes"]),
        }
        for i in items
    ]
    return Table(
        "items",
        gettext_lazy("Items"),
        [
            Column("product", gettext_lazy("Product")),
            Column("form", gettext_lazy("Form")),
            Column("lot", gettext_lazy("Lot"), "link", link_to("portal:lot", "lot")),
            Column("composition", gettext_lazy("Composition (mass fraction as metal)")),
            Column("kg", gettext_lazy("Mass (kg)"), "kg"),
            Column("value", gettext_lazy("Value")),
            Column("control_codes", gettext_lazy("Control codes")),
        ],
        rows,
        gettext_lazy("No items."),
    )


def hits_table(hits) -> Table:
    """Watch-list matches of the parties, for the officer deciding the application."""
    rows = [
        {
            "party": h.get_party_display(),
            "screened_name": h.screened_name,
            "list": h.entry.list_name,
            "entry": f"{h.entry.name}, {h.entry.country}" if h.entry.country else h.entry.name,
            "score": h.score,
            "via": h.via,
        }
        for h in hits
    ]
    return Table(
        "screening_hits",
        gettext_lazy("Screening hits"),
        [
            Column("party", gettext_lazy("Party")),
            Column("screened_name", gettext_lazy("Name screened")),
            Column("list", gettext_lazy("List")),
            Column("entry", gettext_lazy("Entry")),
            Column("score", gettext_lazy("Score (0–100)"), "number"),
            Column("via", gettext_lazy("Via")),
        ],
        rows,
        gettext_lazy("No screening hits."),
    )


def application_page(request, application, forms=None, status=200) -> HttpResponse:
    """The detail page, with the forms this user may use in the application's state."""
    forms = forms or {}
    out = outputs.application_out(application, actor=request.user)
    context = {"application": application, "out": out, "kinds": dict(DocumentKind.choices)}
    tables = []
    if out["detail"] is not None:
        for t in out["detail"]["history"]:
            t["action"] = Action(t["action"]).label
            t["from_state"], t["to_state"] = S(t["from_state"]).label, S(t["to_state"]).label
        context["documents"] = list(application.documents.order_by("pk"))
        context["missing"] = [DocumentKind(k).label for k in out["detail"]["documents_missing"]]
        tables.append(items_table(out["detail"]["items"]))
    context |= _applicant_context(request, application, forms)
    context |= _officer_context(request, application, forms)
    if request.user.has_permission(P.EXPORTCONTROL_APPLICATION_DECIDE):
        tables.append(hits_table(application.screening_hits.select_related("entry")))
    template = "portal/application_detail.html"
    return export_or_render(request, template, context, tables, status)


@portal_page(P.EXPORTCONTROL_APPLICATION_READ)
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    with http_errors():
        application = selectors.application_visible(actor=request.user, number=number)
    return application_page(request, application)


@require_POST
@portal_page(P.EXPORTCONTROL_APPLICATION_SUBMIT, enterprise=True)
def document_upload(request: HttpRequest, number: str) -> HttpResponse:
    """Add a document while the application is a draft or information was requested."""
    with http_errors():
        application = selectors.application_visible(actor=request.user, number=number)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with forbidden_as_403():
                applications.document_add(
                    actor=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    content=upload.read(),
                )
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("exportcontrol:application", number=number)
    return application_page(request, application, {"document": form}, status=400)


@require_POST
@portal_page(P.EXPORTCONTROL_APPLICATION_SUBMIT, enterprise=True)
def application_act(request: HttpRequest, number: str) -> HttpResponse:
    """Submit, resubmit or withdraw; what blocks it (missing documents) is shown in place."""
    with http_errors():
        application = selectors.application_visible(actor=request.user, number=number)
    action = request.POST.get("action", "")
    form = ActionForm(request.POST, prefix="act")
    if action not in APPLICANT_ACTIONS:
        form.add_error(None, _("Choose submit, resubmit or withdraw."))
    elif form.is_valid():
        try:
            with forbidden_as_403():
                application = application_transition(
                    actor=request.user,
                    application=application,
                    action=action,
                    comment=form.cleaned_data["comment"],
                )
        except ReetraceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(number)s is now %(state)s.") % state_of(application))
            return redirect("exportcontrol:application", number=number)
    return application_page(request, application, {"act": form}, status=400)


def state_of(application) -> dict:
    return {"number": application.number, "state": application.get_state_display()}


@portal_page(P.EXPORTCONTROL_APPLICATION_READ)
def document_file(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A document's file, for the applicant and national roles (never partners)."""
    with http_errors():
        application = selectors.application_visible(actor=request.user, number=number)
        if request.user.scope.partner:
            raise Http404
        document = selectors.document_of(application, document_id)
    return file_download(document.file, document.filename)
