"""Enterprise pages: the registry of parties, and one enterprise's profile, stock
and counterparties (each section shown only to roles allowed to read it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from reetrace.compliance.selectors import risk_ranking
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.portal import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import http_errors
from reetrace.portal.views.enterprise import lots_table, reports_table, stock_table
from reetrace.registry.selectors import enterprise_get
from reetrace.trace.selectors import enterprise_visible, stock_of

DIRECTIONS = {"sold_to": _("sold to"), "bought_from": _("bought from")}


@portal_page(P.REGISTRY_ENTERPRISE_READ)
def enterprises(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    rows = [
        {
            "identifier": e.identifier,
            "name": e.display_name,
            "country": e.country,
            "province": e.province,
            "roles": ", ".join(sorted(str(r.get_role_display()) for r in e.roles.all())),
            "status": e.get_status_display(),
        }
        for e in selectors.enterprises_search(query)
    ]
    table = Table(
        "enterprises",
        _("Registered enterprises"),
        [
            Column(
                "identifier", _("Identifier"), "link", link_to("portal:enterprise", "identifier")
            ),
            Column("name", _("Name")),
            Column("country", _("Country")),
            Column("province", _("Province")),
            Column("roles", _("Roles")),
            Column("status", _("Status")),
        ],
        rows,
        _("No enterprise matches."),
    )
    return export_or_render(request, "portal/enterprises.html", {"query": query}, [table])


def _counterparties_table(enterprise) -> Table:
    rows = [
        {**r, "direction": DIRECTIONS[r["direction"]]} for r in selectors.counterparties(enterprise)
    ]
    return Table(
        "counterparties",
        _("Counterparties"),
        [
            Column("direction", _("Direction")),
            Column(
                "identifier", _("Enterprise"), "link", link_to("portal:enterprise", "identifier")
            ),
            Column("name", _("Name")),
            Column("shipments", _("Shipments"), "number"),
            Column("kg", _("Mass (kg)"), "kg"),
        ],
        rows,
        _("No shipments yet."),
    )


def _risk_of(user, enterprise) -> dict | None:
    """The enterprise's risk score and rank, for the national roles that read risk."""
    if not user.has_permission(P.COMPLIANCE_RISK_READ) or not user.is_national:
        return None
    ranking = risk_ranking(actor=user, limit=100000)
    found = next((r for r in ranking if r["enterprise"] == enterprise.identifier), None)
    return found or {"rank": None, "score": 0, "alerts": {}, "of": len(ranking)}


@portal_page(P.REGISTRY_ENTERPRISE_READ)
def enterprise_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """Profile for every reader; stock, counterparties and reports per permission."""
    user = request.user
    with http_errors():
        enterprise = enterprise_visible(actor=user, identifier=identifier)
        profile = enterprise_get(enterprise.identifier)
    tables = []
    if user.has_permission(P.TRACE_STOCK_READ):
        lines = stock_of(enterprise=enterprise)
        tables += [stock_table(lines), lots_table(lines)]
    if user.has_permission(P.TRACE_REGISTER_READ):
        tables.append(_counterparties_table(enterprise))
    if user.has_permission(P.REPORTING_REPORT_READ):
        tables.append(reports_table(enterprise))
    context = {
        "risk": _risk_of(user, profile),
        "enterprise": profile,
        "roles": sorted(str(r.get_role_display()) for r in profile.roles.all()),
        "sites": list(profile.sites.all()),
    }
    return export_or_render(request, "portal/enterprise.html", context, tables)
