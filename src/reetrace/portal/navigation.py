"""The role-aware navigation: each entry names the permissions its page checks.

Entries are listed by URL name; an entry whose URL does not resolve is simply not
shown, so a page can be removed or added without breaking the menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from reetrace.core.permissions import Permission as P

__all__ = ["NAVIGATION", "NavItem", "nav_for"]


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str
    permissions: tuple[P, ...]
    enterprise: bool = False


NAVIGATION: list[NavItem] = [
    NavItem(_("Dashboard"), "portal:dashboard", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Report"), "portal:report", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Upload a file"), "portal:upload", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Close a month"), "portal:close", (P.REPORTING_REPORT_CLOSE,), True),
    NavItem(_("Lots"), "portal:lots", (P.LEDGER_LOT_READ, P.TRACE_STOCK_READ), True),
    NavItem(_("Government access"), "portal:government-reads", (P.AUDIT_ACCESS_READ,), True),
    NavItem(
        _("National overview"),
        "portal:national",
        (P.TRACE_GENEALOGY_READ, P.TRACE_EXPORT_SUMMARY_READ),
    ),
    NavItem(_("Enterprises"), "portal:enterprises", (P.REGISTRY_ENTERPRISE_READ,)),
    NavItem(_("Trace a lot"), "portal:trace", (P.LEDGER_LOT_READ, P.TRACE_GENEALOGY_READ)),
    NavItem(_("Export statistics"), "portal:exports", (P.TRACE_EXPORT_SUMMARY_READ,)),
    # Pages of the compliance, export-control and reconciliation apps.
    NavItem(_("Alerts"), "compliance:alerts", (P.COMPLIANCE_ALERT_READ,)),
    # Cases are read by every national reader of risk (auditors too); managers change them.
    NavItem(_("Cases"), "compliance:cases", (P.COMPLIANCE_RISK_READ,)),
    NavItem(_("Risk"), "compliance:risk", (P.COMPLIANCE_RISK_READ,)),
    NavItem(_("Licences"), "exportcontrol:applications", (P.EXPORTCONTROL_APPLICATION_READ,)),
    NavItem(_("Licensing desk"), "exportcontrol:desk", (P.EXPORTCONTROL_APPLICATION_DECIDE,)),
    NavItem(_("Licensing statistics"), "exportcontrol:statistics", (P.EXPORTCONTROL_STATS_READ,)),
    NavItem(_("Vetted exporters"), "exportcontrol:vetting", (P.EXPORTCONTROL_APPLICATION_DECIDE,)),
    # Only national roles hold both (enterprises lack the summary, partners licences).
    NavItem(
        _("Refused exports"),
        "exportcontrol:refused",
        (P.EXPORTCONTROL_LICENCE_READ, P.TRACE_EXPORT_SUMMARY_READ),
    ),
    NavItem(_("Reconciliation"), "reconciliation:datasets", (P.RECONCILIATION_READ,)),
    NavItem(_("Partner submissions"), "reconciliation:submissions", (P.RECONCILIATION_READ,)),
    NavItem(_("Audit journal"), "portal:audit", (P.AUDIT_JOURNAL_READ,)),
]


def nav_for(user, current_path: str = "") -> list[dict]:
    """The entries this user may open, with their URLs; unresolved entries are skipped."""
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if not all(user.has_permission(p) for p in item.permissions):
            continue
        if item.enterprise and user.enterprise_id is None:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "current": False})
    # The longest matching URL is the current page (/licences/desk/ is not /licences/).
    matching = [i for i in items if current_path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["current"] = True
    return items
