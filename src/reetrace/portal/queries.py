"""Reads the new portal pages need beyond the apps' own selectors, scoped the same way.

Views never touch `Model.objects` (tests/lint/test_scoping.py); the few reads the
compliance, export-control and reconciliation selectors do not offer yet live here,
each one starting from an actor-scoped selector where rows belong to someone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from reetrace.accounts.models import User
from reetrace.accounts.permissions import Permission
from reetrace.compliance.checks import Window
from reetrace.compliance.checks.quotas import COLUMNS, _mining_uses, _separation_uses
from reetrace.compliance.models import CaseAttachment
from reetrace.core.errors import NotFound
from reetrace.exportcontrol.choices import OPEN_STATES
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.models import Application, Document
from reetrace.exportcontrol.selectors import applications_visible
from reetrace.exportcontrol.workdays import CalendarNotCovered
from reetrace.exportcontrol.workflow import application_clock
from reetrace.registry.models import Quota

__all__ = [
    "analysts",
    "attachment_of",
    "desk_queue",
    "document_of",
    "lead_times",
    "quota_use",
]


def analysts() -> list[User]:
    """Users a case can be assigned to (whoever may work compliance cases)."""
    users = User.objects.filter(is_active=True, enterprise__isnull=True).order_by("username")
    return [u for u in users if u.has_permission(Permission.COMPLIANCE_CASE_MANAGE)]


def attachment_of(case, file_id: int) -> CaseAttachment:
    """An attachment of a case the caller already may see (case_visible)."""
    found = case.attachments.filter(pk=file_id).first()
    if found is None:
        raise NotFound("attachment", str(file_id))
    return found


def document_of(application: Application, document_id: int) -> Document:
    """A document of an application the caller already may see (application_visible)."""
    found = application.documents.filter(pk=document_id).first()
    if found is None:
        raise NotFound("document", str(document_id))
    return found


def _clock_or_none(application: Application, today: date):
    try:
        return application_clock(application, today)
    except CalendarNotCovered:
        return None


def desk_queue(*, actor: User, today: date) -> list[dict]:
    """Open applications (not drafts), the ones due soonest first; no clock yet = last."""
    rows = []
    open_states = OPEN_STATES - {S.DRAFT}
    queue = applications_visible(actor=actor).filter(state__in=open_states)
    for a in queue.prefetch_related("transitions", "documents"):
        clock = _clock_or_none(a, today)
        rows.append({"application": a, "clock": clock})
    far = date.max
    return sorted(
        rows,
        key=lambda r: (r["clock"].due if r["clock"] else far, r["application"].submitted_at),
    )


def lead_times(*, actor: User, today: date) -> list[dict]:
    """Working days from acceptance to decision of every decided application."""
    decided = applications_visible(actor=actor).filter(state__in=[S.APPROVED, S.REJECTED])
    rows = []
    for a in decided.prefetch_related("transitions"):
        clock = _clock_or_none(a, today)
        if clock is not None:
            rows.append({"number": a.number, "state": a.state, "days": clock.elapsed})
    return rows


def quota_use(year: int, as_of: datetime) -> list[dict]:
    """Each quota of the year: t REO used per element group against its limit.

    Uses the quota check's own accumulation (compliance/checks/quotas.py), so the
    overview and the quota alerts can never disagree.
    """
    quotas = {q.pk: q for q in Quota.objects.filter(year=year).select_related("enterprise")}
    window = Window(None, None, as_of)
    uses = _mining_uses(list(quotas), window)
    for quota_id, per_event in _separation_uses(list(quotas), window).items():
        uses[quota_id].update(per_event)
    rows = []
    for pk, quota in quotas.items():
        used: dict[str, float] = defaultdict(float)
        for use in uses.get(pk, {}).values():
            for column in COLUMNS:
                used[column] += use.reo[column] / 1000
        limits = {"light": float(quota.light_t), "medium_heavy": float(quota.medium_heavy_t)}
        rows.append({"quota": quota, "used": dict(used), "limits": limits})
    return rows
