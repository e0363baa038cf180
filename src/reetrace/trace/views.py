"""Pages for lots: the public verification page a QR label points to, and the label."""

from __future__ import annotations

from typing import cast

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from reetrace.accounts.models import User
from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission
from reetrace.ledger.checkpoints import checkpoint_latest
from reetrace.trace.outputs import lot_out
from reetrace.trace.selectors import lot_visible
from reetrace.trace.visibility import lot_verify


def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone may check a code: genuine or not, product, producer, month; nothing else.
    The newest signed chain checkpoint is shown too, so anyone can compare it with a copy."""
    return render(
        request,
        "trace/verify.html",
        {"result": lot_verify(code), "checkpoint": checkpoint_latest()},
    )


@login_required
def lot_label(request: HttpRequest, code: str) -> HttpResponse:
    """A printable label whose QR code opens the public verification page."""
    user = cast(User, request.user)  # signed in: login_required
    if not user.has_permission(Permission.LEDGER_LOT_READ):
        raise Http404
    try:
        lot = lot_visible(actor=user, code=code)
    except ReetraceError as exc:
        raise Http404(exc.message) from exc
    url = request.build_absolute_uri(reverse("lot-verify", args=[lot.code]))
    qr = segno.make(url, error="m").svg_inline(scale=4, title=lot.code)
    return render(request, "trace/label.html", {"lot": lot_out(lot), "qr": qr, "url": url})
