"""The vocabulary of access: every permission an API operation or portal page can
require (`scope:resource:action`), and how far a role reaches (`Reach`). Which role
holds which is the table in `accounts/permissions.py`; the checks are in
`core/access.py` (and `portal.access.portal_page` for pages)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Permission", "Reach"]


class Permission(StrEnum):
    """Every permission an API operation or page can require (alphabetical)."""

    ACCOUNTS_TOKEN_MANAGE = "accounts:token:manage"
    AUDIT_ACCESS_READ = "audit:access:read"
    AUDIT_JOURNAL_READ = "audit:journal:read"
    COMPLIANCE_ALERT_READ = "compliance:alert:read"
    COMPLIANCE_ALERT_TRIAGE = "compliance:alert:triage"
    COMPLIANCE_CASE_MANAGE = "compliance:case:manage"
    COMPLIANCE_DETECT_RUN = "compliance:detect:run"
    COMPLIANCE_RISK_READ = "compliance:risk:read"
    EXPORTCONTROL_APPLICATION_DECIDE = "exportcontrol:application:decide"
    EXPORTCONTROL_CALENDAR_MANAGE = "exportcontrol:calendar:manage"
    EXPORTCONTROL_APPLICATION_READ = "exportcontrol:application:read"
    EXPORTCONTROL_APPLICATION_SUBMIT = "exportcontrol:application:submit"
    EXPORTCONTROL_CLASSIFICATION_RUN = "exportcontrol:classification:run"
    EXPORTCONTROL_LICENCE_READ = "exportcontrol:licence:read"
    EXPORTCONTROL_STATS_READ = "exportcontrol:stats:read"
    EXPORTCONTROL_WATCHLIST_MANAGE = "exportcontrol:watchlist:manage"
    LEDGER_EVENT_CAPTURE = "ledger:event:capture"
    LEDGER_EVENT_READ = "ledger:event:read"
    LEDGER_LOT_READ = "ledger:lot:read"
    RECONCILIATION_LOAD = "reconciliation:partner-data:load"
    RECONCILIATION_READ = "reconciliation:comparison:read"
    RECONCILIATION_SUBMISSION_UPLOAD = "reconciliation:submission:upload"
    REGISTRY_ENTERPRISE_READ = "registry:enterprise:read"
    REGISTRY_ENTERPRISE_WRITE = "registry:enterprise:write"
    REGISTRY_QUOTA_READ = "registry:quota:read"
    REGISTRY_QUOTA_WRITE = "registry:quota:write"
    REGISTRY_REFERENCE_READ = "registry:reference:read"
    REPORTING_REPORT_CLOSE = "reporting:report:close"
    REPORTING_REPORT_READ = "reporting:report:read"
    TRACE_EXPORT_READ = "trace:export:read"
    TRACE_EXPORT_SUMMARY_READ = "trace:export-summary:read"
    TRACE_GENEALOGY_READ = "trace:genealogy:read"
    TRACE_REGISTER_READ = "trace:register:read"
    TRACE_STOCK_READ = "trace:stock:read"


class Reach(StrEnum):
    """Whose rows a role's permissions reach, and for whom it may act."""

    EVERY_ENTERPRISE = "every-enterprise"  # reads every enterprise's rows
    OWN_ENTERPRISE = "own-enterprise"  # its own enterprise's rows, and what is addressed to it
    PARTNER_COUNTRY = "partner-country"  # aggregates, and applications for its country
    ACT_FOR_ANYONE = "act-for-anyone"  # reports, closes and applies for any enterprise,
    # sets recorded_at on historical loads, and manages every user's tokens
