"""The role-aware navigation: each entry names the permissions its page checks.

Entries are listed by URL name; an entry whose URL does not resolve is simply not
shown, so a page can be removed or added without breaking the menu. Entries are
grouped by the task they serve (Monitor, Investigate, Licensing, Trade, ...), so a
regulator's thirteen pages fit one line at 1,280 px: a group with one page for the
user is a plain link, a larger one a menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from reetrace.core.permissions import Permission as P

__all__ = ["GROUPS", "NAVIGATION", "NavItem", "nav_for", "nav_groups_for"]

# The tasks, in the order of the bar.
GROUPS = {
    "work": _("My reporting"),
    "monitor": _("Monitor"),
    "investigate": _("Investigate"),
    "licensing": _("Licensing"),
    "trade": _("Trade"),
    "oversight": _("Oversight"),
}


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str
    permissions: tuple[P, ...]
    enterprise: bool = False
    group: str = "work"


NAVIGATION: list[NavItem] = [
    NavItem(_("Dashboard"), "portal:dashboard", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Report"), "portal:report", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Upload a file"), "portal:upload", (P.LEDGER_EVENT_CAPTURE,), True),
    NavItem(_("Close a month"), "portal:close", (P.REPORTING_REPORT_CLOSE,), True),
    NavItem(_("Lots"), "portal:lots", (P.LEDGER_LOT_READ, P.TRACE_STOCK_READ), True),
    NavItem(
        _("Government access"),
        "portal:government-reads",
        (P.AUDIT_ACCESS_READ,),
        True,
        group="oversight",
    ),
    NavItem(
        _("National overview"),
        "portal:national",
        (P.TRACE_GENEALOGY_READ, P.TRACE_EXPORT_SUMMARY_READ),
        group="monitor",
    ),
    NavItem(_("Enterprises"), "portal:enterprises", (P.REGISTRY_ENTERPRISE_READ,), group="monitor"),
    NavItem(
        _("Trace a lot"),
        "portal:trace",
        (P.LEDGER_LOT_READ, P.TRACE_GENEALOGY_READ),
        group="investigate",
    ),
    NavItem(
        _("Export statistics"), "portal:exports", (P.TRACE_EXPORT_SUMMARY_READ,), group="trade"
    ),
    # Pages of the compliance, export-control and reconciliation apps.
    NavItem(_("Alerts"), "compliance:alerts", (P.COMPLIANCE_ALERT_READ,), group="investigate"),
    # Cases are read by every national reader of risk (auditors too); managers change them.
    NavItem(_("Cases"), "compliance:cases", (P.COMPLIANCE_RISK_READ,), group="investigate"),
    NavItem(_("Risk"), "compliance:risk", (P.COMPLIANCE_RISK_READ,), group="monitor"),
    NavItem(
        _("Licences"),
        "exportcontrol:applications",
        (P.EXPORTCONTROL_APPLICATION_READ,),
        group="licensing",
    ),
    NavItem(
        _("Licensing desk"),
        "exportcontrol:desk",
        (P.EXPORTCONTROL_APPLICATION_DECIDE,),
        group="licensing",
    ),
    NavItem(
        _("Licensing statistics"),
        "exportcontrol:statistics",
        (P.EXPORTCONTROL_STATS_READ,),
        group="licensing",
    ),
    NavItem(
        _("Vetted exporters"),
        "exportcontrol:vetting",
        (P.EXPORTCONTROL_APPLICATION_DECIDE,),
        group="licensing",
    ),
    # Only national roles hold both (enterprises lack the summary, partners licences).
    NavItem(
        _("Refused exports"),
        "exportcontrol:refused",
        (P.EXPORTCONTROL_LICENCE_READ, P.TRACE_EXPORT_SUMMARY_READ),
        group="licensing",
    ),
    NavItem(
        _("Reconciliation"), "reconciliation:datasets", (P.RECONCILIATION_READ,), group="trade"
    ),
    NavItem(
        _("Partner submissions"),
        "reconciliation:submissions",
        (P.RECONCILIATION_READ,),
        group="trade",
    ),
    NavItem(_("Audit journal"), "portal:audit", (P.AUDIT_JOURNAL_READ,), group="oversight"),
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
        items.append({"label": item.label, "url": url, "current": False, "group": item.group})
    # The longest matching URL is the current page (/licences/desk/ is not /licences/).
    matching = [i for i in items if current_path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["current"] = True
    return items


def nav_groups_for(user, current_path: str = "") -> list[dict]:
    """The user's entries by task: each group with its label, entries and whether the
    current page is among them; groups keep the order of GROUPS."""
    groups: dict[str, dict] = {}
    for item in nav_for(user, current_path):
        key = item["group"]
        group = groups.setdefault(key, {"key": key, "label": GROUPS[key], "items": []})
        group["items"].append(item)
    for group in groups.values():
        group["current"] = any(i["current"] for i in group["items"])
    return [groups[k] for k in GROUPS if k in groups]
