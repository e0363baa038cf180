"""Export statistics: aggregates only, for partner analysts and national roles.

A partner analyst sees kg by month, destination and HS code with cells of fewer
than CONFIDENTIAL_MIN_EXPORTERS exporters pooled, and never a name or a price.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from reetrace.core.permissions import Permission as P
from reetrace.portal.access import portal_page
from reetrace.portal.tables import export_or_render
from reetrace.portal.views.national import export_volumes, exports_table, period_form
from reetrace.trace.selectors import export_summary_visible


@portal_page(P.TRACE_EXPORT_SUMMARY_READ)
def exports(request: HttpRequest) -> HttpResponse:
    form, start, end, _element = period_form(request)
    cells = export_summary_visible(actor=request.user, start=start, end=end)
    pooled = not request.user.is_national
    context = {"form": form, "volumes": export_volumes(cells), "pooled": pooled}
    return export_or_render(request, "portal/exports.html", context, [exports_table(cells)])
