"""Cases: opened from alerts, assigned, annotated, documented, closed with an outcome.

Each step is journaled in CaseStep with who and when; attachments are stored
under MEDIA_ROOT with their SHA-256 and size so their integrity can be shown.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.compliance.choices import AlertStatus, CaseAction, CaseStatus
from reetrace.compliance.models import (
    Alert,
    Case,
    CaseAlert,
    CaseAttachment,
    CaseNote,
    CaseStep,
)
from reetrace.compliance.services.alerts import alert_status_set
from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = ["case_assign", "case_attach", "case_close", "case_note", "case_open"]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _step(case: Case, actor: User, action: str, **detail) -> None:
    CaseStep.objects.create(case=case, actor=actor, action=action, detail=detail)


def _open_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status != CaseStatus.OPEN:
        raise ReetraceError(
            ErrorCode.INVALID, f"case {case.pk} is closed", field="case", status=409
        )
    return case


@transaction.atomic
def case_open(
    *,
    actor: User,
    title: str,
    alerts: list[Alert],
    assignee: User | None = None,
    hold_disclosure: bool = False,
) -> Case:
    """Open a case from one or more alerts; they move to `in_case`."""
    if not alerts:
        raise ReetraceError(
            ErrorCode.INVALID, "a case starts from at least one alert", field="alerts"
        )
    case = Case.objects.create(
        title=title, opened_by=actor, assignee=assignee, hold_disclosure=hold_disclosure
    )
    _step(case, actor, CaseAction.OPEN, title=title, hold_disclosure=hold_disclosure)
    for alert in alerts:
        CaseAlert.objects.create(case=case, alert=alert, added_by=actor)
        if alert.status != AlertStatus.IN_CASE:
            alert_status_set(
                actor=actor, alert=alert, status=AlertStatus.IN_CASE, reason=f"case {case.pk}"
            )
        _step(case, actor, CaseAction.ALERT, alert=alert.pk)
    if assignee is not None:
        _step(case, actor, CaseAction.ASSIGN, assignee=assignee.username)
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, assignee: User) -> Case:
    """Give the case to an analyst."""
    case = _open_case(case.pk)
    case.assignee = assignee
    case.save(update_fields=["assignee"])
    _step(case, actor, CaseAction.ASSIGN, assignee=assignee.username)
    return case


@transaction.atomic
def case_note(*, actor: User, case: Case, text: str) -> CaseNote:
    """Add a note to an open case."""
    case = _open_case(case.pk)
    if not text.strip():
        raise ReetraceError(ErrorCode.INVALID, "a note needs text", field="text")
    note = CaseNote.objects.create(case=case, author=actor, text=text)
    _step(case, actor, CaseAction.NOTE, note=note.pk)
    return note


@transaction.atomic
def case_attach(*, actor: User, case: Case, name: str, content: bytes) -> CaseAttachment:
    """Store a document with the case, with its SHA-256 and size."""
    case = _open_case(case.pk)
    if not content or len(content) > MAX_ATTACHMENT_BYTES:
        raise ReetraceError(
            ErrorCode.INVALID, "an attachment must have 1 byte to 20 MiB", field="file"
        )
    digest = hashlib.sha256(content).hexdigest()
    attachment = CaseAttachment(
        case=case, uploaded_by=actor, name=name[:200], sha256=digest, size=len(content)
    )
    attachment.file.save(f"{digest[:16]}-{name[-80:]}", ContentFile(content), save=False)
    attachment.save()
    _step(case, actor, CaseAction.ATTACH, attachment=attachment.pk, sha256=digest)
    return attachment


@transaction.atomic
def case_close(*, actor: User, case: Case, outcome: str) -> Case:
    """Close the case with its outcome (required: it is what the case established).

    Closing a closed case amends its outcome (e.g. a court ruling arrives later);
    the earlier outcome stays in the journal.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not outcome.strip():
        raise ReetraceError(ErrorCode.INVALID, "closing a case needs an outcome", field="outcome")
    amended = case.status == CaseStatus.CLOSED
    case.status, case.outcome = CaseStatus.CLOSED, outcome
    case.closed_at = case.closed_at or timezone.now()
    case.save(update_fields=["status", "outcome", "closed_at"])
    _step(case, actor, CaseAction.CLOSE, outcome=outcome, amended=amended)
    return case
