"""Reading the journal: the auditor's filtered view, and an enterprise's view of the
government reads of its own data (by office and date, never the officer's name),
delayed while a case that holds disclosure is open about it."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import TruncDate

from reetrace.accounts.models import User
from reetrace.audit.choices import AuditAction
from reetrace.audit.models import AuditEntry
from reetrace.core.errors import Forbidden
from reetrace.core.permissions import Permission as P


def entries_filter(
    *,
    actor: User,
    action: str | None = None,
    who: str | None = None,
    enterprise: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    if not actor.has_permission(P.AUDIT_JOURNAL_READ):
        raise Forbidden("only the auditor reads the audit journal")
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if who:
        entries = entries.filter(actor=who)
    if enterprise:
        entries = entries.filter(enterprise=enterprise)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-pk")


def disclosure_held_since(identifier: str):
    """When the earliest open case holding disclosure about the enterprise was opened."""
    from reetrace.compliance.choices import CaseStatus
    from reetrace.compliance.models import Case

    return Case.objects.filter(
        status=CaseStatus.OPEN, hold_disclosure=True, alerts__enterprise__identifier=identifier
    ).aggregate(since=Min("opened_at"))["since"]


def government_reads_of(*, actor: User) -> QuerySet:
    """The enterprise user's own enterprise: reads per office and day, newest first."""
    if not actor.has_permission(P.AUDIT_ACCESS_READ) or actor.enterprise_id is None:
        raise Forbidden("only an enterprise's users see who in government read its data")
    identifier = actor.enterprise.identifier
    reads = AuditEntry.objects.filter(enterprise=identifier, action=AuditAction.READ)
    held = disclosure_held_since(identifier)
    if held is not None:
        reads = reads.filter(at__lt=held)
    return (
        reads.annotate(day=TruncDate("at"))
        .values("day", "office")
        .annotate(reads=Count("pk"))
        .order_by("-day", "office")
    )
