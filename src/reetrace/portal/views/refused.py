"""Refused exports: the attempts the ledger's licence check turned away, for customs.

The ledger refuses an export of a controlled item that cites no licence, or one that
does not cover it (exportcontrol/drawdown.py), and keeps the attempt; this page lets
customs and the other national roles see them, newest first, by exporter and date.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.exportcontrol import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.forms.exportcontrol import RefusedFilterForm
from reetrace.portal.tables import export_or_render, link_to

PAGE = 500


def refused_table(rows: list[dict]) -> Table:
    return Table(
        "refused",
        gettext_lazy("Refused export attempts, newest first"),
        [
            Column("at", gettext_lazy("Time"), "datetime"),
            Column(
                "exporter",
                gettext_lazy("Exporter"),
                "link",
                link_to("portal:enterprise", "exporter"),
            ),
            Column("exporter_name", gettext_lazy("Name")),
            Column("event_id", gettext_lazy("Event id")),
            Column("lot", gettext_lazy("Lot")),
            Column("mass", gettext_lazy("Mass as declared")),
            Column("destination", gettext_lazy("Destination")),
            Column("consignee", gettext_lazy("Consignee")),
            Column("end_user", gettext_lazy("End user")),
            Column("licence_cited", gettext_lazy("Licence cited")),
            Column("reason", gettext_lazy("Reason")),
            Column("codes", gettext_lazy("Codes")),
        ],
        rows,
        gettext_lazy("No export has been refused."),
    )


@portal_page(P.EXPORTCONTROL_LICENCE_READ)
def refused_exports(request: HttpRequest) -> HttpResponse:
    """National roles only: an enterprise hears of its own refusals in the ledger's
    answer to its batch, and the API lists them for it; the page is customs' view."""
    if not request.user.is_national:
        raise PermissionDenied
    form = RefusedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.refused_export_rows(
        actor=request.user,
        exporter=filters.get("exporter") or "",
        start=filters.get("start"),
        end=filters.get("end"),
        limit=PAGE,
    )
    context = {"form": form, "limit": PAGE}
    return export_or_render(request, "portal/refused_exports.html", context, [refused_table(rows)])
