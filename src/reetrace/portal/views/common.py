"""Small helpers the view modules share."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reetrace.core.errors import ReetraceError


@contextmanager
def http_errors():
    """Domain 'not found' and 'forbidden' become the pages Django shows for them."""
    try:
        yield
    except ReetraceError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        raise Http404(exc.message) from exc
