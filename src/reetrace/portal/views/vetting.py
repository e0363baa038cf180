"""Vetted exporters: the licensing officers' list of who may hold general licences,
with the forms to vet an exporter for a period and to revoke a vetting.

The workflow refuses a general licence for an applicant not vetted on the day it is
submitted or approved (exportcontrol/services/vetting.py); this page is where that data lives.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.exportcontrol import outputs, selectors
from reetrace.exportcontrol.services.vetting import exporter_vet, vetting_revoke
from reetrace.portal.access import portal_page
from reetrace.portal.forms.exportcontrol import RevokeForm, VettingForm
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import error_show

STATUS = {
    "valid": gettext_lazy("valid"),
    "pending": gettext_lazy("not yet begun"),
    "ended": gettext_lazy("ended"),
    "revoked": gettext_lazy("revoked"),
}


def vettings_table(rows: list[dict]) -> Table:
    return Table(
        "vettings",
        gettext_lazy("Vetted exporters"),
        [
            Column(
                "enterprise",
                gettext_lazy("Exporter"),
                "link",
                link_to("portal:enterprise", "enterprise"),
            ),
            Column("enterprise_name", gettext_lazy("Name")),
            Column("since", gettext_lazy("Vetted since"), "date"),
            Column("until", gettext_lazy("Vetted until"), "date"),
            Column("status", gettext_lazy("Status today")),
            Column("basis", gettext_lazy("Basis")),
            Column("vetted_by", gettext_lazy("Vetted by")),
            Column("revoked_at", gettext_lazy("Revoked at"), "datetime"),
            Column("revoked_by", gettext_lazy("Revoked by")),
            Column("revocation_reason", gettext_lazy("Reason for revoking")),
        ],
        [{**r, "status": STATUS[r["status"]]} for r in rows],
        gettext_lazy("No exporter has been vetted."),
    )


def _page(request: HttpRequest, forms: dict | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    today = selectors.today()
    rows = [outputs.vetting_out(v, today) for v in selectors.vettings_visible(actor=user)]
    active = list(selectors.vettings_active(actor=user))
    context = {
        "vet_form": VettingForm(prefix="vet"),
        "revoke_form": RevokeForm(prefix="revoke", vettings=active),
        **(forms or {}),
    }
    return export_or_render(
        request, "portal/vetting.html", context, [vettings_table(rows)], status=status
    )


@portal_page(P.EXPORTCONTROL_APPLICATION_DECIDE)
def vetting_list(request: HttpRequest) -> HttpResponse:
    """Every vetting with its status today, and the officer's two forms."""
    return _page(request)


@require_POST
@portal_page(P.EXPORTCONTROL_APPLICATION_DECIDE)
def vet(request: HttpRequest) -> HttpResponse:
    """Vet an exporter for general licences from a date (to a date, or open-ended)."""
    form = VettingForm(request.POST, prefix="vet")
    if form.is_valid():
        try:
            vetting = exporter_vet(actor=request.user, **form.cleaned_data)
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is vetted for general licences from %(since)s.")
                % {"name": vetting.enterprise.display_name, "since": vetting.since},
            )
            return redirect("exportcontrol:vetting")
    return _page(request, {"vet_form": form}, status=400)


@require_POST
@portal_page(P.EXPORTCONTROL_APPLICATION_DECIDE)
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke a vetting: general licences are then neither submitted nor approved on it."""
    active = list(selectors.vettings_active(actor=request.user))
    form = RevokeForm(request.POST, prefix="revoke", vettings=active)
    if form.is_valid():
        try:
            vetting = vetting_revoke(
                actor=request.user,
                vetting_id=form.cleaned_data["vetting"],
                reason=form.cleaned_data["reason"],
            )
        except ReetraceError as exc:
            error_show(form, exc)
        else:
            messages.success(
                request,
                _("The vetting of %(name)s is revoked.")
                % {"name": vetting.enterprise.display_name},
            )
            return redirect("exportcontrol:vetting")
    return _page(request, {"revoke_form": form}, status=400)
