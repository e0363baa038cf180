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
from reetrace.trace.plugins import LABEL_LINKS
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
    """A printable label whose QR code opens the public verification page (directly, or
    through the link a plug-in gives, such as the lot's GS1 Digital Link)."""
    user = cast(User, request.user)  # signed in: login_required
    if not user.has_permission(Permission.LEDGER_LOT_READ):
        raise Http404
    try:
        lot = lot_visible(actor=user, code=code)
    except ReetraceError as exc:
        raise Http404(exc.message) from exc
    url = request.build_absolute_uri(reverse("lot-verify", args=[lot.code]))
    link = next(
        (found for plugin in LABEL_LINKS if (found := plugin.call(request, lot)) is not None), url
    )
    qr = segno.make(link, error="m").svg_inline(scale=4, title=lot.code)
    context = {"lot": lot_out(lot), "qr": qr, "url": url, "link": link}
    return render(request, "trace/label.html", context)
