"""Export-control endpoints: classification, licence applications and their workflow,
licences, refused exports, vetted exporters, statistics and watch lists. Handlers stay thin: they
call one service or selector each."""

from __future__ import annotations

import base64
import binascii

from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from reetrace.core.access import requires
from reetrace.core.errors import ErrorCode, Forbidden, ReetraceError
from reetrace.core.paging import RowId, limit_query, offset_query
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.exportcontrol import outputs, selectors
from reetrace.exportcontrol.choices import APPLICANT_ACTIONS, OFFICER_ACTIONS
from reetrace.exportcontrol.classification import classify, composition_arg
from reetrace.exportcontrol.schemas import (
    ActionIn,
    ApplicationIn,
    ApplicationOut,
    ClassificationOut,
    ClassifyIn,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    HitOut,
    LicenceOut,
    RefusedExportOut,
    RevocationIn,
    ScheduleIn,
    ScheduleLoadOut,
    ScreenIn,
    StatsOut,
    VettingIn,
    VettingOut,
    WatchListImportIn,
    WatchListImportOut,
)
from reetrace.exportcontrol.services import applications
from reetrace.exportcontrol.services.calendar import schedule_load
from reetrace.exportcontrol.services.screening import (
    application_screen,
    screen_name,
    watchlist_import,
)
from reetrace.exportcontrol.services.vetting import exporter_vet, vetting_revoke
from reetrace.exportcontrol.services.workflow import Approval, application_transition
from reetrace.exportcontrol.stats import licensing_stats
from reetrace.ledger.rules import ceiling_check, composition_parse, compound_of
from reetrace.trace.selectors import lot_visible

router = Router(tags=["exportcontrol"])
ERRORS = errors(400, 401, 403, 404, 409, 422)


@router.get(
    "/exportcontrol/classify/{product_form}",
    response={200: ClassificationOut, **ERRORS},
    operation_id="exportcontrol_classify",
)
@requires(Permission.EXPORTCONTROL_CLASSIFICATION_RUN)
def exportcontrol_classify(request, product_form: str, query: Query[ClassifyIn]):
    """Licence required or not for a form + composition on a date, which entries matched
    and why. The customs code is only compared, never decisive."""
    composition = composition_parse(composition_arg(query.composition))
    ceiling_check(composition, compound_of(product_form), field="composition")
    on = query.date or selectors.today()
    return classify(product_form, composition, query.hs_code, on).as_dict()


@router.get(
    "/exportcontrol/lots/{code}/classification",
    response={200: ClassificationOut, **ERRORS},
    operation_id="exportcontrol_classify_lot",
)
@requires(Permission.EXPORTCONTROL_CLASSIFICATION_RUN)
def exportcontrol_classify_lot(request, code: str, query: Query[ClassifyIn]):
    """Classify an existing lot (its catalogue form and recorded composition) on a date."""
    if not request.auth.scope.sees_enterprises:
        raise Forbidden("your role does not see lots")
    lot = lot_visible(actor=request.auth, code=code)
    on = query.date or selectors.today()
    return applications.lot_classify(lot=lot, on_date=on, hs_code=query.hs_code).as_dict()


@router.post(
    "/applications", response={201: ApplicationOut, **ERRORS}, operation_id="applications_create"
)
@requires(Permission.EXPORTCONTROL_APPLICATION_SUBMIT)
def applications_create(request, body: ApplicationIn):
    """A draft licence application; upload its documents, then submit it."""
    data = body.dict()
    application = applications.application_create(actor=request.auth, data=data)
    return Status(201, outputs.application_out(application, actor=request.auth))


@router.get(
    "/applications",
    response={200: list[ApplicationOut], **ERRORS},
    operation_id="applications_list",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_READ)
def applications_list(
    request,
    state: str | None = None,
    limit: int = limit_query(100, 500),
    offset: int = offset_query(),
):
    """Applications the caller may follow, with state, due date and (not for partners) detail."""
    rows = selectors.applications_visible(actor=request.auth)
    if state:
        rows = rows.filter(state=state)
    page = rows[offset : offset + limit]
    return [outputs.application_out(a, actor=request.auth) for a in page]


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationOut, **ERRORS},
    operation_id="applications_get",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_READ)
def applications_get(request, application_id: str):
    """State, due date, days elapsed and left, what is missing, and the history."""
    application = selectors.application_visible(actor=request.auth, number=application_id)
    return outputs.application_out(application, actor=request.auth)


def _document_from(request, file: UploadedFile | None, kind: str | None) -> tuple[str, str, bytes]:
    if file is not None:
        if not kind:
            raise ReetraceError(ErrorCode.INVALID, "kind is required", field="kind")
        return kind, file.name or "document", file.read()
    if request.content_type != "application/json":
        raise ReetraceError(
            ErrorCode.INVALID, "send the document as multipart 'file'", field="file"
        )
    body = DocumentIn.model_validate_json(request.body or b"{}")
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, "content_base64 is not base64", field="content_base64"
        ) from exc
    return body.kind, body.filename, content


_NO_KIND = Form(None)
_NO_FILE = File(None)
_UPLOAD_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": DocumentIn.model_json_schema()},
        }
    }
}


@router.post(
    "/applications/{application_id}/documents",
    response={201: DocumentOut, **ERRORS},
    operation_id="applications_documents_upload",
    openapi_extra=_UPLOAD_BODY,
)
@requires(Permission.EXPORTCONTROL_APPLICATION_SUBMIT)
def applications_documents_upload(
    request,
    application_id: str,
    kind: str | None = _NO_KIND,
    file: UploadedFile | None = _NO_FILE,
):
    """Upload a document (multipart `file` + `kind`, or JSON with `content_base64`)."""
    application = selectors.application_visible(actor=request.auth, number=application_id)
    kind, filename, content = _document_from(request, file, kind)
    document = applications.document_add(
        actor=request.auth, application=application, kind=kind, filename=filename, content=content
    )
    return Status(201, document)


@router.post(
    "/applications/{application_id}/actions",
    response={200: ApplicationOut, **ERRORS},
    operation_id="applications_act",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_SUBMIT)
def applications_act(request, application_id: str, body: ActionIn):
    """The applicant's steps: submit, resubmit (after an information request), withdraw."""
    if body.action not in APPLICANT_ACTIONS:
        raise ReetraceError(
            ErrorCode.INVALID, f"action must be one of {sorted(APPLICANT_ACTIONS)}", field="action"
        )
    application = selectors.application_visible(actor=request.auth, number=application_id)
    application = application_transition(
        actor=request.auth, application=application, action=body.action, comment=body.comment
    )
    return outputs.application_out(application, actor=request.auth)


@router.post(
    "/applications/{application_id}/decisions",
    response={200: ApplicationOut, **ERRORS},
    operation_id="applications_decide",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_DECIDE)
def applications_decide(request, application_id: str, body: DecisionIn):
    """The officer's steps: accept, start_review, request_information, resume_review,
    approve (issues the licence) or reject."""
    if body.action not in OFFICER_ACTIONS:
        raise ReetraceError(
            ErrorCode.INVALID, f"action must be one of {sorted(OFFICER_ACTIONS)}", field="action"
        )
    application = selectors.application_visible(actor=request.auth, number=application_id)
    approval = Approval(
        body.licensed_kg, body.valid_from, body.valid_until, body.retroactive_reason
    )
    application = application_transition(
        actor=request.auth,
        application=application,
        action=body.action,
        comment=body.comment,
        approval=approval,
    )
    return outputs.application_out(application, actor=request.auth)


@router.post(
    "/applications/{application_id}/screening",
    response={200: list[HitOut], **ERRORS},
    operation_id="applications_screen",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_DECIDE)
def applications_screen(request, application_id: str):
    """Screen applicant, consignee and end user now; hits with the entry and the score."""
    application = selectors.application_visible(actor=request.auth, number=application_id)
    hits = application_screen(application=application)
    return [
        {
            "party": h.party,
            "screened_name": h.screened_name,
            "list": h.entry.list_name,
            "entry": h.entry.name,
            "entry_country": h.entry.country,
            "listed_since": h.entry.listed_since,
            "matched_name": h.matched_name,
            "score": h.score,
            "via": h.via,
        }
        for h in hits
    ]


@router.get("/licences", response={200: list[LicenceOut], **ERRORS}, operation_id="licences_list")
@requires(Permission.EXPORTCONTROL_LICENCE_READ)
def licences_list(request, limit: int = limit_query(100, 500), offset: int = offset_query()):
    """Licences with their items and the kg left after drawdowns."""
    rows = selectors.licences_visible(actor=request.auth)[offset : offset + limit]
    return [outputs.licence_out(licence) for licence in rows]


@router.get(
    "/licences/{licence_number}", response={200: LicenceOut, **ERRORS}, operation_id="licences_get"
)
@requires(Permission.EXPORTCONTROL_LICENCE_READ)
def licences_get(request, licence_number: str):
    licence = selectors.licence_visible(actor=request.auth, number=licence_number)
    return outputs.licence_out(licence)


@router.get(
    "/exportcontrol/refused-exports",
    response={200: list[RefusedExportOut], **ERRORS},
    operation_id="refused_exports_list",
)
@requires(Permission.EXPORTCONTROL_LICENCE_READ)
def refused_exports_list(request, limit: int = limit_query(100, 500), offset: int = offset_query()):
    """Export attempts the ledger refused (no or insufficient licence), newest first."""
    return list(selectors.refused_exports_visible(actor=request.auth)[offset : offset + limit])


@router.get(
    "/exportcontrol/stats", response={200: StatsOut, **ERRORS}, operation_id="exportcontrol_stats"
)
@requires(Permission.EXPORTCONTROL_STATS_READ)
def exportcontrol_stats(request):
    """Backlog, lead times, overdue, decisions by destination/element/applicant, kg."""
    with_applicants = not request.auth.scope.partner
    return licensing_stats(today=selectors.today(), with_applicants=with_applicants)


@router.post(
    "/watchlist/import",
    response={200: WatchListImportOut, **ERRORS},
    operation_id="watchlist_import",
)
@requires(Permission.EXPORTCONTROL_WATCHLIST_MANAGE)
def watchlist_import_op(request, body: WatchListImportIn):
    """Upsert watch-list entries and ownership links from CSV text."""
    return watchlist_import(entries_csv=body.entries_csv, ownership_csv=body.ownership_csv)


@router.post(
    "/exportcontrol/calendar",
    response={200: ScheduleLoadOut, **ERRORS},
    operation_id="exportcontrol_calendar_load",
)
@requires(Permission.EXPORTCONTROL_CALENDAR_MANAGE)
def exportcontrol_calendar_load(request, body: ScheduleIn):
    """Load a year's official holiday and adjusted-working-day schedule (State Council
    notice, TOML) for a year chinesecalendar lacks; answers the open clocks it moved."""
    return schedule_load(text=body.toml, actor=request.auth, today=selectors.today())


@router.post(
    "/watchlist/screen", response={200: list[HitOut], **ERRORS}, operation_id="watchlist_screen"
)
@requires(Permission.EXPORTCONTROL_WATCHLIST_MANAGE)
def watchlist_screen(request, body: ScreenIn):
    """Fuzzy-match one name (Latin or Chinese) against the watch lists and the 50% rule."""
    hits = screen_name(body.name, country=body.country.upper(), min_score=body.min_score)
    return [h.as_dict() for h in hits]


@router.get(
    "/exportcontrol/vetted-exporters",
    response={200: list[VettingOut], **ERRORS},
    operation_id="vetted_exporters_list",
)
@requires(Permission.EXPORTCONTROL_LICENCE_READ)
def vetted_exporters_list(
    request,
    enterprise: str | None = None,
    limit: int = limit_query(100, 500),
    offset: int = offset_query(),
):
    """Vettings for general licences, newest first, each with its status today; an
    enterprise sees its own."""
    rows = selectors.vettings_visible(actor=request.auth)
    if enterprise:
        rows = rows.filter(enterprise__identifier=enterprise)
    on = selectors.today()
    return [outputs.vetting_out(v, on) for v in rows[offset : offset + limit]]


@router.post(
    "/exportcontrol/vetted-exporters",
    response={201: VettingOut, **ERRORS},
    operation_id="vetted_exporters_vet",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_DECIDE)
def vetted_exporters_vet(request, body: VettingIn):
    """Vet an exporter for general licences from `since` (until `until`, or open-ended)."""
    vetting = exporter_vet(
        actor=request.auth,
        enterprise=body.enterprise,
        since=body.since,
        until=body.until,
        basis=body.basis,
    )
    return Status(201, outputs.vetting_out(vetting, selectors.today()))


@router.post(
    "/exportcontrol/vetted-exporters/{vetting_id}/revocation",
    response={200: VettingOut, **ERRORS},
    operation_id="vetted_exporters_revoke",
)
@requires(Permission.EXPORTCONTROL_APPLICATION_DECIDE)
def vetted_exporters_revoke(request, vetting_id: RowId, body: RevocationIn):
    """Revoke a vetting: general licences are no longer submitted or approved on it."""
    vetting = vetting_revoke(actor=request.auth, vetting_id=vetting_id, reason=body.reason)
    return outputs.vetting_out(vetting, selectors.today())
