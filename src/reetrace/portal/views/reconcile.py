"""Reconciliation: pick (or load) a partner dataset, see our exports against it as a
country x month grid coloured by the unexplained gap, the two series, the
decomposition as a waterfall, drill down from a cell to its declarations, and open a
case from it. Partner analysts get what the services give them: aggregates only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission as P
from reetrace.portal.access import portal_page
from reetrace.portal.forms.reconciliation import DatasetForm, ScopeForm, SubmissionForm
from reetrace.portal.reconciliation_tables import (
    cells_table,
    datasets_table,
    declarations_table,
    grid_table,
    importers_table,
    parts_rows,
    report_charts,
)
from reetrace.portal.tables import export_or_render
from reetrace.portal.views.common import error_show, http_errors
from reetrace.reconciliation import selectors
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from reetrace.reconciliation.services.datasets import dataset_load
from reetrace.reconciliation.services.drilldown import cell_declarations
from reetrace.reconciliation.services.referral import cell_case_open
from reetrace.reconciliation.services.submissions import submission_upload


def _datasets_page(request, form=None, status=200) -> HttpResponse:
    context = {}
    if request.user.has_permission(P.RECONCILIATION_LOAD):
        context["load_form"] = form or DatasetForm()
    table = datasets_table(selectors.datasets_visible(actor=request.user))
    return export_or_render(request, "portal/datasets.html", context, [table], status)


@portal_page(P.RECONCILIATION_READ)
def datasets(request: HttpRequest) -> HttpResponse:
    """The loaded partner datasets (source, vintage, aggregate) to compare with."""
    return _datasets_page(request)


def _rejected_show(form, rejected: BatchRejected) -> None:
    for error in rejected.errors[:20]:
        column = _(" (column %(name)s)") % {"name": error.field} if error.field else ""
        form.add_error("file", f"{error.message}{column}")


@require_POST
@portal_page(P.RECONCILIATION_LOAD)
def dataset_load_view(request: HttpRequest) -> HttpResponse:
    """Load a partner file, all rows or none; row errors are listed under the file."""
    form = DatasetForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dataset = dataset_load(
                actor=request.user,
                content=data["file"].read(),
                filename=data["file"].name,
                format=data["format"],
                vintage=data["vintage"],
                name=data["name"],
                weight_basis=data["weight_basis"],
            )
        except BatchRejected as rejected:
            _rejected_show(form, rejected)
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(request, _("Dataset %(name)s loaded.") % {"name": dataset.name})
            return redirect("reconciliation:comparison", dataset_id=dataset.pk)
    return _datasets_page(request, form, status=400)


def _scope(request) -> tuple[ScopeForm, Scope]:
    form = ScopeForm({"by": "hs6", "level": "country", **request.GET.dict()})
    data = form.cleaned_data if form.is_valid() else {}
    scope = Scope(
        by=data.get("by", "hs6"),
        level=data.get("level", "country"),
        start=data.get("start"),
        end=data.get("end"),
    )
    return form, scope


@portal_page(P.RECONCILIATION_READ)
def comparison(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """The grid, the two series, the waterfall and the cells (filtered by a grid click)."""
    with http_errors():
        dataset = selectors.dataset_get(actor=request.user, dataset_id=dataset_id)
    form, scope = _scope(request)
    try:
        report = comparison_report(dataset=dataset, actor=request.user, scope=scope)
    except ReetraceError as exc:
        error_show(form, exc)
        return render(request, "portal/comparison.html", {"form": form, "dataset": dataset})
    # The service decides what is confidential (and counts the cells it hid); its totals
    # and series then cover the visible cells only. Shown beside a grid with hidden
    # cells they would read as our national totals, so the page shows the partner's
    # series alone and says why.
    restricted = report["confidential_cells"] > 0
    pick = {k: request.GET.get(k, "") for k in ("country", "month")}
    query = urlencode({"by": scope.by, "level": scope.level})
    context = {
        "form": form,
        "dataset": dataset,
        "report": report,
        "charts": report_charts(report, restricted=restricted),
        "parts": [] if restricted else parts_rows(report),
        "restricted": restricted,
        "pick": pick,
    }
    tables = [grid_table(report, request.GET.copy()), cells_table(report, dataset.pk, query, pick)]
    return export_or_render(request, "portal/comparison.html", context, tables)


def _cell_page(request, dataset_id: int, product: str, country: str, month: str, error=None):
    with http_errors():
        dataset = selectors.dataset_get(actor=request.user, dataset_id=dataset_id)
        month = f"{period_parse(month, field='month'):%Y-%m}"
    form, scope = _scope(request)
    with http_errors():
        found = cell_declarations(
            actor=request.user, scope=scope, product=product, country=country.upper(), month=month
        )
    back = reverse("reconciliation:comparison", args=[dataset.pk])
    context = {"dataset": dataset, "cell": found, "back": back, "form": form}
    context["can_open_case"] = request.user.has_permission(P.COMPLIANCE_CASE_MANAGE)
    tables = [declarations_table(found)]
    if error is None:
        return export_or_render(request, "portal/cell.html", context, tables)
    context["case_error"] = error.message
    return export_or_render(request, "portal/cell.html", context, tables, error.status)


@portal_page(P.RECONCILIATION_READ)
def cell(request: HttpRequest, dataset_id: int, product: str, country: str, month: str):
    """The declarations behind one cell (national readers) or its aggregates (partners)."""
    return _cell_page(request, dataset_id, product, country, month)


@require_POST
@portal_page(P.COMPLIANCE_CASE_MANAGE)
def cell_case(request: HttpRequest, dataset_id: int, product: str, country: str, month: str):
    """Open a case from the cell (alerts about its exporters) and go to it; a cell that
    cannot be referred shows again with the reason."""
    with http_errors():
        dataset = selectors.dataset_get(actor=request.user, dataset_id=dataset_id)
        month = f"{period_parse(month, field='month'):%Y-%m}"
    _form, scope = _scope(request)
    try:
        case, created = cell_case_open(
            actor=request.user,
            dataset=dataset,
            scope=scope,
            product=product,
            country=country.upper(),
            month=month,
            title=request.POST.get("title", ""),
        )
    except ReetraceError as exc:
        return _cell_page(request, dataset_id, product, country, month, error=exc)
    if created:
        messages.success(request, _("Case %(id)s opened from this cell.") % {"id": case.pk})
    else:
        messages.info(request, _("Case %(id)s already holds this cell.") % {"id": case.pk})
    return redirect("compliance:case", case_id=case.pk)


def _submissions_page(request, form=None, status=200) -> HttpResponse:
    context = {}
    if request.user.has_permission(P.RECONCILIATION_SUBMISSION_UPLOAD):
        context["upload_form"] = form or SubmissionForm()
    table = importers_table(selectors.importer_status(actor=request.user))
    return export_or_render(request, "portal/submissions.html", context, [table], status)


@portal_page(P.RECONCILIATION_READ)
def submissions(request: HttpRequest) -> HttpResponse:
    """Per importer: what its orders are on our side (pending, refused, licensed...)."""
    return _submissions_page(request)


@require_POST
@portal_page(P.RECONCILIATION_SUBMISSION_UPLOAD)
def submission_upload_view(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            submission_upload(
                actor=request.user,
                content=upload.read(),
                filename=upload.name,
                partner_country=form.cleaned_data["partner_country"],
            )
        except BatchRejected as rejected:
            _rejected_show(form, rejected)
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(request, _("Submission received."))
            return redirect("reconciliation:submissions")
    return _submissions_page(request, form, status=400)
