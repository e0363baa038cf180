"""Reporting by file: upload, preview with every row error, dry run, commit.

The check and the commit can take a while for a large file; the page polls
`upload-progress` (rows processed so far) while the request runs. Without
JavaScript the same buttons post normally and the result page follows.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import FORMATS, Column, Table
from reetrace.portal.access import portal_page
from reetrace.portal.filetemplates import TEMPLATE_KINDS, template_content
from reetrace.portal.tables import export_or_render
from reetrace.portal.uploads import upload_check, upload_commit, upload_get, upload_store

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 20


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload(request: HttpRequest) -> HttpResponse:
    """Choose a file; it is read (not saved to the ledger) and the preview follows."""
    context = {"kinds": TEMPLATE_KINDS, "error": ""}
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            context["error"] = _("Choose a CSV or XLSX file.")
        elif uploaded.size > MAX_UPLOAD_BYTES:
            context["error"] = _("The file is larger than 50 MB; split it or use the API.")
        else:
            try:
                stored = upload_store(
                    actor=request.user, name=uploaded.name, content=uploaded.read()
                )
            except ReetraceError as exc:
                context["error"] = exc.message
            else:
                return redirect("portal:upload-detail", upload_id=stored.id)
        return render(request, "portal/upload.html", context, status=400)
    return render(request, "portal/upload.html", context)


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in TEMPLATE_KINDS or fmt not in FORMATS:
        raise Http404
    response = HttpResponse(template_content(kind, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="reetrace-{kind}.{fmt}"'
    return response


def _errors_table(errors: list[dict]) -> Table:
    return Table(
        "row_errors",
        gettext_lazy("Problems found"),
        [
            Column("row", gettext_lazy("Row")),
            Column("column", gettext_lazy("Column")),
            Column("message", gettext_lazy("Message")),
        ],
        errors,
    )


def _preview_table(events: list[tuple[int, dict]]) -> Table:
    rows = []
    for line, event in events[:PREVIEW_ROWS]:
        rest = {k: v for k, v in event.items() if k not in ("event_id", "kind", "event_time")}
        rows.append(
            {
                "row": line,
                "event_id": event.get("event_id", ""),
                "kind": event.get("kind", ""),
                "event_time": event.get("event_time", ""),
                "fields": "; ".join(f"{k}={v}" for k, v in rest.items()),
            }
        )
    return Table(
        "preview",
        gettext_lazy("Preview"),
        [
            Column("row", gettext_lazy("Row")),
            Column("event_id", gettext_lazy("Event id")),
            Column("kind", gettext_lazy("Kind")),
            Column("event_time", gettext_lazy("Event time")),
            Column("fields", gettext_lazy("Other fields")),
        ],
        rows,
    )


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload_detail(request: HttpRequest, upload_id: str) -> HttpResponse:
    """The preview, the problems found so far, and the next step for this file."""
    stored = upload_get(actor=request.user, upload_id=upload_id)
    context = {"upload": stored, "meta": stored.meta, "preview_limit": PREVIEW_ROWS}
    tables = [_preview_table(stored.events()), _errors_table(stored.errors)]
    return export_or_render(request, "portal/upload_detail.html", context, tables)


@require_POST
@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload_check_view(request: HttpRequest, upload_id: str) -> HttpResponse:
    stored = upload_get(actor=request.user, upload_id=upload_id)
    if stored.meta.get("state") in ("read", "checked", "invalid") and stored.meta.get("rows"):
        errors = upload_check(actor=request.user, upload=stored)
        if not errors:
            messages.success(request, _("No problems found: the file can be saved."))
    return redirect("portal:upload-detail", upload_id=stored.id)


@require_POST
@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload_commit_view(request: HttpRequest, upload_id: str) -> HttpResponse:
    stored = upload_get(actor=request.user, upload_id=upload_id)
    try:
        created = upload_commit(actor=request.user, upload=stored)
    except ReetraceError as exc:
        messages.error(request, exc.message)
    else:
        if stored.meta.get("state") == "committed":
            messages.success(
                request, _("Saved: %(n)s events recorded from the file.") % {"n": created}
            )
    return redirect("portal:upload-detail", upload_id=stored.id)


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def upload_progress(request: HttpRequest, upload_id: str) -> JsonResponse:
    """Rows processed so far by the running check or commit (polled by the page)."""
    stored = upload_get(actor=request.user, upload_id=upload_id)
    return JsonResponse({**stored.progress, "state": stored.meta.get("state")})
