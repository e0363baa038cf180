"""An analyst's work on alerts: triage, dismiss (with a reason), share.

Every change is a row in AlertStatusChange with who, when and why; the alert
itself is never deleted, so a dismissed alert stays visible to auditors.
"""

from __future__ import annotations

from django.db import transaction

from reetrace.accounts.models import User
from reetrace.compliance.choices import AlertAction, AlertStatus
from reetrace.compliance.models import Alert, AlertStatusChange
from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = ["alert_dismiss", "alert_share", "alert_status_set", "alert_triage"]

# Which status may follow which: a dismissed alert can be reopened by triaging it.
# Triaging or dismissing again records a new reason (a second analyst's view).
_NEXT = {
    AlertStatus.NEW: {AlertStatus.TRIAGED, AlertStatus.DISMISSED, AlertStatus.IN_CASE},
    AlertStatus.TRIAGED: {AlertStatus.TRIAGED, AlertStatus.DISMISSED, AlertStatus.IN_CASE},
    AlertStatus.IN_CASE: {AlertStatus.TRIAGED},
    AlertStatus.DISMISSED: {AlertStatus.TRIAGED, AlertStatus.DISMISSED},
}


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def alert_status_set(*, actor: User, alert: Alert, status: str, reason: str = "") -> Alert:
    """Move an alert to `status`, recording the step; refuses transitions that make no sense."""
    alert = _locked(alert)
    if status not in _NEXT[alert.status]:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"an alert that is {alert.status} cannot become {status}",
            field="status",
            status=409,
        )
    AlertStatusChange.objects.create(
        alert=alert, actor=actor, from_status=alert.status, to_status=status, reason=reason
    )
    alert.status, alert.status_reason = status, reason
    alert.save(update_fields=["status", "status_reason"])
    return alert


@transaction.atomic
def alert_triage(*, actor: User, alert: Alert, reason: str = "") -> Alert:
    """Mark an alert as looked at and worth following (or reopen a dismissed one)."""
    return alert_status_set(actor=actor, alert=alert, status=AlertStatus.TRIAGED, reason=reason)


@transaction.atomic
def alert_dismiss(*, actor: User, alert: Alert, reason: str) -> Alert:
    """Dismiss an alert; the reason is required because auditors will read it."""
    if not reason.strip():
        raise ReetraceError(
            ErrorCode.INVALID, "a dismissal needs a reason for the auditors", field="reason"
        )
    return alert_status_set(actor=actor, alert=alert, status=AlertStatus.DISMISSED, reason=reason)


@transaction.atomic
def alert_share(*, actor: User, alert: Alert, shared: bool = True, reason: str = "") -> Alert:
    """Show (or hide) an alert to the enterprise it is about."""
    alert = _locked(alert)
    if alert.shared_with_enterprise != shared:
        AlertStatusChange.objects.create(
            alert=alert,
            actor=actor,
            action=AlertAction.SHARE,
            from_status=alert.status,
            to_status=alert.status,
            reason=reason or ("shared" if shared else "unshared"),
        )
        alert.shared_with_enterprise = shared
        alert.save(update_fields=["shared_with_enterprise"])
    return alert
