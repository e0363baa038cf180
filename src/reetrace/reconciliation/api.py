"""Reconciliation endpoints: load partner datasets, compare them with our exports
(grid, decomposition, parameters), drill down to declarations, and partner
enterprise submissions with their status. Handlers call one service or selector."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from ninja import File, Form, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError

from reetrace.compliance.outputs import case_out
from reetrace.compliance.selectors import analyst_get
from reetrace.core.access import requires
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.paging import RowId
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.reconciliation import selectors
from reetrace.reconciliation.schemas import (
    CellCaseIn,
    CellCaseOut,
    CellIn,
    ComparisonIn,
    DatasetIn,
    DatasetOut,
    DrilldownOut,
    ImporterStatusOut,
    ReportOut,
    SubmissionIn,
    SubmissionOut,
)
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from reetrace.reconciliation.services.datasets import dataset_load
from reetrace.reconciliation.services.drilldown import cell_declarations
from reetrace.reconciliation.services.referral import cell_case_open
from reetrace.reconciliation.services.submissions import submission_upload

router = Router(tags=["reconciliation"])
ERRORS = errors(400, 401, 403, 404, 409, 422)
_NO_FILE = File(None)
_NO_FORM = Form(None)


def _content(body: DatasetIn | SubmissionIn) -> bytes:
    if body.content is not None:
        return body.content.encode("utf-8")
    if body.content_base64 is None:
        raise ReetraceError(ErrorCode.INVALID, "send content or content_base64", field="content")
    try:
        return base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, "content_base64 is not base64", field="content_base64"
        ) from exc


def _json_body(request, schema):
    if request.content_type != "application/json":
        raise ReetraceError(ErrorCode.INVALID, "send the file as multipart 'file'", field="file")
    try:
        return schema.model_validate_json(request.body or b"{}")
    except PydanticValidationError as exc:
        errors = [dict(e, loc=("body", *e["loc"])) for e in exc.errors(include_url=False)]
        raise NinjaValidationError(errors) from exc


def _upload_doc(schema) -> dict:
    return {
        "requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}}}
    }


@router.post(
    "/reconciliation/datasets",
    response={201: DatasetOut, **ERRORS},
    operation_id="reconciliation_datasets_load",
    openapi_extra=_upload_doc(DatasetIn),
)
@requires(Permission.RECONCILIATION_LOAD)
def reconciliation_datasets_load(
    request,
    file: UploadedFile | None = _NO_FILE,
    format: str | None = _NO_FORM,
    vintage: date | None = _NO_FORM,
    name: str | None = _NO_FORM,
    source: str | None = _NO_FORM,
    aggregate: str | None = _NO_FORM,
    weight_basis: str | None = _NO_FORM,
):
    """Load a partner file (multipart `file` + form fields, or JSON with `content` or
    `content_base64`): all rows or none; errors name the line and the column."""
    if file is not None:
        fields = {"format": format or "", "vintage": vintage, "name": name or ""}
        fields |= {"source": source or "", "aggregate": aggregate or ""}
        fields |= {"weight_basis": weight_basis or "net"}
        if fields["vintage"] is None:
            raise ReetraceError(ErrorCode.INVALID, "vintage is required", field="vintage")
        content, filename = file.read(), file.name or "partner.csv"
    else:
        body = _json_body(request, DatasetIn)
        content, filename = _content(body), body.filename
        fields = body.dict(exclude={"content", "content_base64", "filename"})
    dataset = dataset_load(actor=request.auth, content=content, filename=filename, **fields)
    return Status(201, dataset)


@router.get(
    "/reconciliation/datasets",
    response={200: list[DatasetOut], **ERRORS},
    operation_id="reconciliation_datasets_list",
)
@requires(Permission.RECONCILIATION_READ)
def reconciliation_datasets_list(request):
    """Loaded partner datasets with source, vintage, aggregate and load report."""
    return list(selectors.datasets_visible(actor=request.auth))


@router.get(
    "/reconciliation/datasets/{dataset_id}",
    response={200: DatasetOut, **ERRORS},
    operation_id="reconciliation_datasets_get",
)
@requires(Permission.RECONCILIATION_READ)
def reconciliation_datasets_get(request, dataset_id: RowId):
    """One dataset and its load report (rows read, loaded, skipped by reason, notes)."""
    return selectors.dataset_get(actor=request.auth, dataset_id=dataset_id)


def _month(raw: str | None, field: str) -> date | None:
    return period_parse(raw, field=field) if raw else None


@router.get(
    "/reconciliation/datasets/{dataset_id}/comparison",
    response={200: ReportOut, **ERRORS},
    operation_id="reconciliation_comparison",
)
@requires(Permission.RECONCILIATION_READ)
def reconciliation_comparison(request, dataset_id: RowId, query: Query[ComparisonIn]):
    """Our exports against the dataset by product, country and month: gaps in kg,
    value and percent, each split into timing, valuation, transit, classification,
    units and unexplained, with every parameter used. Partner analysts see our
    figures only where at least three exporters make up a cell."""
    dataset = selectors.dataset_get(actor=request.auth, dataset_id=dataset_id)
    scope = Scope(
        by=query.by,
        level=query.level,
        start=_month(query.start, "start"),
        end=_month(query.end, "end"),
    )
    return comparison_report(dataset=dataset, actor=request.auth, scope=scope, overrides=query.set)


@router.get(
    "/reconciliation/datasets/{dataset_id}/cells/{cell_product}/{cell_country}/{cell_month}",
    response={200: DrilldownOut, **ERRORS},
    operation_id="reconciliation_cell_declarations",
)
@requires(Permission.RECONCILIATION_READ)
def reconciliation_cell_declarations(
    request,
    dataset_id: RowId,
    cell_product: str,
    cell_country: str,
    cell_month: str,
    query: Query[CellIn],
):
    """The export declarations behind one cell (exporter, consignee, licence, lot);
    partner analysts get the cell's aggregates only."""
    selectors.dataset_get(actor=request.auth, dataset_id=dataset_id)
    month = f"{period_parse(cell_month, field='cell_month'):%Y-%m}"
    return cell_declarations(
        actor=request.auth,
        scope=Scope(by=query.by, level=query.level),
        product=cell_product,
        country=cell_country.upper(),
        month=month,
    )


@router.post(
    "/reconciliation/datasets/{dataset_id}/cells/{cell_product}/{cell_country}/{cell_month}/case",
    response={200: CellCaseOut, 201: CellCaseOut, **ERRORS},
    operation_id="reconciliation_cell_case_open",
)
@requires(Permission.COMPLIANCE_CASE_MANAGE)
def reconciliation_cell_case_open(
    request,
    dataset_id: RowId,
    cell_product: str,
    cell_country: str,
    cell_month: str,
    body: CellCaseIn,
):
    """Open a case from one cell: one `trade_gap` alert per exporter behind it (the
    cell's figures, its parts and parameters, the exporter's declarations and lots),
    assigned to the caller or `assignee`. 201 when opened; 200 with the open case that
    already holds the cell; 409 when no export declaration of ours is behind it."""
    dataset = selectors.dataset_get(actor=request.auth, dataset_id=dataset_id)
    month = f"{period_parse(cell_month, field='cell_month'):%Y-%m}"
    assignee = analyst_get(username=body.assignee) if body.assignee else None
    case, created = cell_case_open(
        actor=request.auth,
        dataset=dataset,
        scope=Scope(by=body.by, level=body.level),
        product=cell_product,
        country=cell_country.upper(),
        month=month,
        title=body.title,
        assignee=assignee,
    )
    return Status(201 if created else 200, case_out(case) | {"created": created})


@router.post(
    "/reconciliation/submissions",
    response={201: SubmissionOut, **ERRORS},
    operation_id="reconciliation_submissions_upload",
    openapi_extra=_upload_doc(SubmissionIn),
)
@requires(Permission.RECONCILIATION_SUBMISSION_UPLOAD)
def reconciliation_submissions_upload(
    request, file: UploadedFile | None = _NO_FILE, partner_country: str | None = _NO_FORM
):
    """A partner's companies' orders (multipart `file` or JSON `content`): importer,
    supplier, product, kg ordered and received, application reference and date."""
    if file is not None:
        content, filename, country = file.read(), file.name or "submission.csv", partner_country
    else:
        body = _json_body(request, SubmissionIn)
        content, filename, country = _content(body), body.filename, body.partner_country
    submission = submission_upload(
        actor=request.auth, content=content, filename=filename, partner_country=country or ""
    )
    lines = submission.lines.all()
    return Status(
        201,
        {
            "id": submission.pk,
            "partner_country": submission.partner_country,
            "filename": submission.filename,
            "sha256": submission.sha256,
            "uploaded_at": submission.uploaded_at,
            "lines": lines.count(),
            "matched": lines.filter(application__isnull=False).count(),
        },
    )


@router.get(
    "/reconciliation/submissions/status",
    response={200: list[ImporterStatusOut], **ERRORS},
    operation_id="reconciliation_submissions_status",
)
@requires(Permission.RECONCILIATION_READ)
def reconciliation_submissions_status(request):
    """Per importer: what is pending, refused, licensed, shipped and received, and since
    when (a partner analyst sees its own country's submissions)."""
    return selectors.importer_status(actor=request.auth)
