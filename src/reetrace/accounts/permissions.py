"""Who may do what: user roles, the permissions they carry and how far they reach.

These tables are the single source of every role decision. `ROLE_PERMISSIONS` says
which operations a role may call (`core.access.requires`, `portal_page`);
`ROLE_REACH` says whose rows those operations show it and for whom it may act
(`User.scope`, read by `core.access.visible_to`). Code never compares role names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.core.permissions import Permission, Reach


class UserRole(models.TextChoices):
    REGULATOR = "regulator", _("regulator analyst")
    LICENSING_OFFICER = "licensing_officer", _("licensing officer")
    CUSTOMS_OFFICER = "customs_officer", _("customs officer")
    ENTERPRISE = "enterprise", _("enterprise user")
    PARTNER = "partner", _("foreign partner analyst")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("administrator")


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
            P.EXPORTCONTROL_CALENDAR_MANAGE,
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


ROLE_REACH: dict[str, frozenset[Reach]] = {
    UserRole.ADMIN: frozenset({Reach.EVERY_ENTERPRISE, Reach.ACT_FOR_ANYONE}),
    UserRole.REGULATOR: frozenset({Reach.EVERY_ENTERPRISE}),
    UserRole.AUDITOR: frozenset({Reach.EVERY_ENTERPRISE}),
    UserRole.LICENSING_OFFICER: frozenset({Reach.EVERY_ENTERPRISE}),
    UserRole.CUSTOMS_OFFICER: frozenset({Reach.EVERY_ENTERPRISE}),
    UserRole.ENTERPRISE: frozenset({Reach.OWN_ENTERPRISE}),
    UserRole.PARTNER: frozenset({Reach.PARTNER_COUNTRY}),
}


def roles_reaching(reach: Reach) -> frozenset[str]:
    return frozenset(role for role, reaches in ROLE_REACH.items() if reach in reaches)


# Roles that see every enterprise's rows; the others are scoped or aggregate-only.
NATIONAL_ROLES = roles_reaching(Reach.EVERY_ENTERPRISE)
