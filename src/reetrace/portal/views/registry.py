"""Enterprise pages: the registry of parties, and one enterprise's profile, stock
and counterparties (each section shown only to roles allowed to read it)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from reetrace.compliance.selectors import risk_ranking
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.portal import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.paging import Listing, ListTable
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import http_errors
from reetrace.portal.views.enterprise import lots_table, reports_table, stock_table
from reetrace.registry.choices import EnterpriseRole, EnterpriseStatus
from reetrace.registry.selectors import enterprise_get
from reetrace.trace.selectors import enterprise_visible, stock_of

DIRECTIONS = {"sold_to": _("sold to"), "bought_from": _("bought from")}


ENTERPRISE_SORTS = {
    "identifier": ("identifier",),
    "country": ("country", "identifier"),
    "province": ("province", "identifier"),
    "status": ("status", "identifier"),
}


def enterprise_rows(enterprises) -> list[dict]:
    """One page of the register as rows, roles fetched once for the page and labelled
    from one lookup (a label per row through `get_..._display` hashed the lazy choices
    every time: most of the page's time)."""
    enterprises = list(enterprises)
    prefetch_related_objects(enterprises, "roles")
    roles, statuses = dict(EnterpriseRole.choices), dict(EnterpriseStatus.choices)
    return [
        {
            "identifier": e.identifier,
            "name": e.display_name,
            "country": e.country,
            "province": e.province,
            "roles": ", ".join(sorted(str(roles[r.role]) for r in e.roles.all())),
            "status": statuses[e.status],
        }
        for e in enterprises
    ]


@portal_page(P.REGISTRY_ENTERPRISE_READ)
def enterprises(request: HttpRequest) -> HttpResponse:
    """The register, paged by keyset: only the page shown is read and labelled."""
    query = request.GET.get("q", "").strip()
    listing = Listing(
        selectors.enterprises_search(query), enterprise_rows, ENTERPRISE_SORTS, "identifier"
    )
    table = ListTable(
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
        [],
        _("No enterprise matches."),
        listing=listing,
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
