"""Who may do what: user roles and the `scope:resource:action` permissions they carry.

This table is the single source of the role -> permission grant; the API checks a
permission per operation and the selectors scope rows per actor.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class UserRole(models.TextChoices):
    REGULATOR = "regulator", _("regulator analyst")
    LICENSING_OFFICER = "licensing_officer", _("licensing officer")
    CUSTOMS_OFFICER = "customs_officer", _("customs officer")
    ENTERPRISE = "enterprise", _("enterprise user")
    PARTNER = "partner", _("foreign partner analyst")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("administrator")


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


P = Permission
_READ_ALL = {
    P.RECONCILIATION_READ,
    P.COMPLIANCE_ALERT_READ,
    P.COMPLIANCE_RISK_READ,
    P.EXPORTCONTROL_APPLICATION_READ,
    P.EXPORTCONTROL_CLASSIFICATION_RUN,
    P.EXPORTCONTROL_LICENCE_READ,
    P.EXPORTCONTROL_STATS_READ,
    P.LEDGER_EVENT_READ,
    P.LEDGER_LOT_READ,
    P.REGISTRY_ENTERPRISE_READ,
    P.REGISTRY_QUOTA_READ,
    P.REGISTRY_REFERENCE_READ,
    P.REPORTING_REPORT_READ,
    P.TRACE_EXPORT_READ,
    P.TRACE_EXPORT_SUMMARY_READ,
    P.TRACE_GENEALOGY_READ,
    P.TRACE_REGISTER_READ,
    P.TRACE_STOCK_READ,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    # Administrators hold every permission but the journal's: the auditor reads what
    # administrators did, and an enterprise's view of government reads is its own.
    UserRole.ADMIN: frozenset(Permission) - {P.AUDIT_JOURNAL_READ, P.AUDIT_ACCESS_READ},
    UserRole.REGULATOR: frozenset(
        _READ_ALL
        | {
            P.ACCOUNTS_TOKEN_MANAGE,
            P.COMPLIANCE_ALERT_TRIAGE,
            P.COMPLIANCE_CASE_MANAGE,
            P.COMPLIANCE_DETECT_RUN,
            P.RECONCILIATION_LOAD,
            P.REGISTRY_ENTERPRISE_WRITE,
            P.REGISTRY_QUOTA_WRITE,
        }
    ),
    UserRole.AUDITOR: frozenset(_READ_ALL | {P.ACCOUNTS_TOKEN_MANAGE, P.AUDIT_JOURNAL_READ}),
    UserRole.LICENSING_OFFICER: frozenset(
        {
            P.ACCOUNTS_TOKEN_MANAGE,
            P.EXPORTCONTROL_APPLICATION_DECIDE,
            P.EXPORTCONTROL_APPLICATION_READ,
            P.EXPORTCONTROL_CLASSIFICATION_RUN,
            P.EXPORTCONTROL_LICENCE_READ,
            P.EXPORTCONTROL_STATS_READ,
            P.EXPORTCONTROL_WATCHLIST_MANAGE,
            P.LEDGER_EVENT_READ,
            P.RECONCILIATION_READ,
            P.LEDGER_LOT_READ,
            P.REGISTRY_ENTERPRISE_READ,
            P.REGISTRY_REFERENCE_READ,
            P.TRACE_EXPORT_READ,
            P.TRACE_EXPORT_SUMMARY_READ,
            P.TRACE_GENEALOGY_READ,
            P.TRACE_STOCK_READ,
        }
    ),
    UserRole.CUSTOMS_OFFICER: frozenset(
        {
            P.ACCOUNTS_TOKEN_MANAGE,
            P.EXPORTCONTROL_APPLICATION_READ,
            P.EXPORTCONTROL_CLASSIFICATION_RUN,
            P.EXPORTCONTROL_LICENCE_READ,
            P.LEDGER_LOT_READ,
            P.RECONCILIATION_READ,
            P.REGISTRY_ENTERPRISE_READ,
            P.REGISTRY_REFERENCE_READ,
            P.TRACE_EXPORT_READ,
            P.TRACE_EXPORT_SUMMARY_READ,
            P.TRACE_GENEALOGY_READ,
        }
    ),
    UserRole.ENTERPRISE: frozenset(
        {
            P.ACCOUNTS_TOKEN_MANAGE,
            P.AUDIT_ACCESS_READ,
            P.COMPLIANCE_ALERT_READ,
            P.EXPORTCONTROL_APPLICATION_READ,
            P.EXPORTCONTROL_APPLICATION_SUBMIT,
            P.EXPORTCONTROL_CLASSIFICATION_RUN,
            P.EXPORTCONTROL_LICENCE_READ,
            P.LEDGER_EVENT_CAPTURE,
            P.LEDGER_EVENT_READ,
            P.LEDGER_LOT_READ,
            P.REGISTRY_ENTERPRISE_READ,
            P.REGISTRY_REFERENCE_READ,
            P.REPORTING_REPORT_CLOSE,
            P.REPORTING_REPORT_READ,
            P.TRACE_EXPORT_READ,
            P.TRACE_GENEALOGY_READ,
            P.TRACE_REGISTER_READ,
            P.TRACE_STOCK_READ,
        }
    ),
    UserRole.PARTNER: frozenset(
        {
            P.ACCOUNTS_TOKEN_MANAGE,
            P.EXPORTCONTROL_APPLICATION_READ,
            P.EXPORTCONTROL_CLASSIFICATION_RUN,
            P.EXPORTCONTROL_STATS_READ,
            P.RECONCILIATION_LOAD,
            P.RECONCILIATION_READ,
            P.RECONCILIATION_SUBMISSION_UPLOAD,
            P.REGISTRY_REFERENCE_READ,
            P.TRACE_EXPORT_SUMMARY_READ,
        }
    ),
}

# Roles that see every enterprise's rows; the others are scoped or aggregate-only.
NATIONAL_ROLES = frozenset(
    {
        UserRole.ADMIN,
        UserRole.REGULATOR,
        UserRole.AUDITOR,
        UserRole.LICENSING_OFFICER,
        UserRole.CUSTOMS_OFFICER,
    }
)
