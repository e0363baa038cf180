"""An enterprise user's own pages: the dashboard and the lots it holds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from reetrace.compliance.selectors import alerts_visible
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.exportcontrol.selectors import applications_visible
from reetrace.portal import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.paging import Listing, ListTable
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.templatetags.portal import reo_summary
from reetrace.portal.views.alerts import alerts_table
from reetrace.portal.views.licences import applications_table
from reetrace.trace.selectors import stock_of

STATES = {"in_stock": _("in stock"), "in_transit": _("in transit")}


def stock_table(lines: list[dict]) -> Table:
    return Table(
        "stock_by_product",
        _("Stock by product"),
        [
            Column("product", _("Product")),
            Column("state", _("State")),
            Column("lots", _("Lots"), "number"),
            Column("kg", _("Mass (kg)"), "kg"),
            Column("reo", _("REO per element (REO kg)")),
        ],
        [
            {**g, "state": STATES[g["state"]], "reo": reo_summary(g["reo_kg"])}
            for g in selectors.stock_by_product(lines)
        ],
        _("Nothing in stock."),
    )


def lots_table(lines: list[dict]) -> Table:
    return Table(
        "lots",
        _("Lots held and in transit to you"),
        [
            Column("lot", _("Lot code"), "link", link_to("portal:lot", "lot")),
            Column("product", _("Product")),
            Column("state", _("State")),
            Column("kg", _("Mass (kg)"), "kg"),
            Column("reo", _("REO per element (REO kg)")),
        ],
        [
            {**line, "state": STATES[line["state"]], "reo": reo_summary(line["reo_kg"])}
            for line in lines
        ],
        _("No lots."),
    )


EVENT_SORTS = {
    "event_time": ("-recorded_at",),
    "event_id": ("event_id",),
    "kind": ("kind", "-recorded_at"),
    "period": ("-period", "-recorded_at"),
}


def event_rows(events) -> list[dict]:
    return [
        {
            "event_id": e.event_id,
            "kind": e.get_kind_display(),
            "event_time": e.event_time,
            "period": f"{e.period:%Y-%m}",
            "late": _("late") if e.is_late else "",
        }
        for e in events
    ]


def events_table(actor) -> Table:
    """Every event the enterprise reported, newest recorded first, paged by keyset."""
    listing = Listing(selectors.events_reported(actor=actor), event_rows, EVENT_SORTS, "event_time")
    return ListTable(
        "recent_events",
        _("Events reported, newest first"),
        [
            Column("event_id", _("Event id")),
            Column("kind", _("Kind")),
            Column("event_time", _("Event time"), "datetime"),
            Column("period", _("Month")),
            Column("late", _("Late")),
        ],
        [],
        _("No events reported yet."),
        listing=listing,
    )


def reports_table(enterprise) -> Table:
    return Table(
        "closed_months",
        _("Closed months"),
        [
            Column("period", _("Month")),
            Column("closed_at", _("Closed at"), "datetime"),
            Column("closed_by", _("Closed by")),
            Column("deadline", _("Deadline"), "date"),
            Column("late", _("Closed late")),
            Column("events", _("Events"), "number"),
        ],
        [
            {
                "period": f"{r.period:%Y-%m}",
                "closed_at": r.closed_at,
                "closed_by": r.closed_by.username,
                "deadline": r.deadline,
                "late": _("late") if r.is_late else "",
                "events": r.event_count,
            }
            for r in selectors.closed_reports(enterprise)
        ],
        _("No month closed yet."),
    )


def dashboard_extras(user) -> list[Table]:
    """The alerts the regulator shared with the enterprise and its licence applications."""
    tables = []
    if user.has_permission(P.COMPLIANCE_ALERT_READ):
        shared = alerts_visible(actor=user)
        table = alerts_table(shared, national=False, table_id="shared_alerts")
        table.title, table.empty = _("Alerts shared by the regulator"), _("No alerts shared.")
        tables.append(table)
    if user.has_permission(P.EXPORTCONTROL_APPLICATION_READ):
        tables.append(applications_table(applications_visible(actor=user)))
    return tables


@portal_page(P.LEDGER_EVENT_CAPTURE, P.REPORTING_REPORT_READ, P.TRACE_STOCK_READ, enterprise=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """This month's deadline, last month's status, stock, recent events, closed months."""
    enterprise = request.user.enterprise
    status = selectors.reporting_status(enterprise, selectors.today_in_china())
    tables = [
        stock_table(stock_of(enterprise=enterprise)),
        events_table(request.user),
        reports_table(enterprise),
        *dashboard_extras(request.user),
    ]
    context = {"enterprise": enterprise, "status": status}
    return export_or_render(request, "portal/dashboard.html", context, tables)


@portal_page(P.LEDGER_LOT_READ, P.TRACE_STOCK_READ, enterprise=True)
def lots(request: HttpRequest) -> HttpResponse:
    """The lots the enterprise holds now, each linking to its genealogy and label."""
    lines = stock_of(enterprise=request.user.enterprise)
    query = request.GET.get("q", "").strip().upper()
    if query:
        lines = [line for line in lines if query in line["lot"] or query in line["product"]]
    context = {"query": query}
    return export_or_render(request, "portal/lots.html", context, [lots_table(lines)])
