"""Small helpers the view modules share."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from reetrace.core.errors import Forbidden, ReetraceError


@contextmanager
def http_errors():
    """Domain 'not found' and 'forbidden' become the pages Django shows for them."""
    try:
        yield
    except ReetraceError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        raise Http404(exc.message) from exc


def error_show(form, exc: ReetraceError, aliases: dict[str, str] | None = None) -> None:
    """A domain error next to the field it names (through `aliases` when the service's
    field name differs from the form's), else above the form."""
    name = (aliases or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


@contextmanager
def forbidden_as_403():
    """A service's 'not yours' refusal is the 403 page; its other errors stay form errors."""
    try:
        yield
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def file_download(stored, filename: str) -> HttpResponse:
    """A stored document (at most 20 MiB by the services' limits) as a download; read
    whole and closed at once, so no file handle outlives the request."""
    with stored.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
