"""Models as the API shows them; what an enterprise user sees is decided here too."""

from __future__ import annotations

from django.db.models import Q

from reetrace.accounts.models import User
from reetrace.compliance.models import Alert, Case, CaseAlert, DetectionRun
from reetrace.core.access import visible_to
from reetrace.ledger.models import Event


def run_out(run: DetectionRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "rules": run.rules,
        "start": f"{run.start:%Y-%m}" if run.start else None,
        "end": f"{run.end:%Y-%m}" if run.end else None,
        "as_of": run.as_of,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "counts": run.counts,
        "log": run.log,
        "full": run.full,
        "last_event_pk": run.last_event_pk,
        "periods": run.periods,
    }


def alert_out(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "severity": alert.severity,
        "enterprise": alert.enterprise.identifier,
        "enterprise_name": alert.enterprise.display_name,
        "period": f"{alert.period:%Y-%m}",
        "elements": alert.elements,
        "figures": alert.figures,
        "lots": alert.lots,
        "events": alert.events,
        "explanation": alert.explanation,
        "status": alert.status,
        "status_reason": alert.status_reason,
        "shared_with_enterprise": alert.shared_with_enterprise,
        "created_at": alert.created_at,
    }


def alert_detail_out(alert: Alert, *, actor: User) -> dict:
    """The alert with its evidence; the analysts' history and cases stay national."""
    body = alert_out(alert)
    events = Event.objects.filter(event_id__in=alert.events[:200]).select_related("reporter")
    national = actor.scope.every_enterprise
    events = visible_to(actor, events, own=lambda enterprise: Q(reporter_id=enterprise))
    if not national:
        body["status_reason"] = ""
    body["evidence"] = [
        {
            "event_id": e.event_id,
            "kind": e.kind,
            "reporter": e.reporter.identifier,
            "event_time": e.event_time,
            "period": f"{e.period:%Y-%m}",
        }
        for e in events.order_by("event_time", "pk")
    ]
    body["history"] = [
        {
            "action": h.action,
            "actor": h.actor.username,
            "at": h.at,
            "from_status": h.from_status,
            "to_status": h.to_status,
            "reason": h.reason,
        }
        for h in (alert.history.select_related("actor") if national else [])
    ]
    body["cases"] = (
        list(CaseAlert.objects.filter(alert=alert).values_list("case_id", flat=True))
        if national
        else []
    )
    return body


def case_out(case: Case) -> dict:
    return {
        "id": case.pk,
        "title": case.title,
        "status": case.status,
        "assignee": case.assignee.username if case.assignee else None,
        "outcome": case.outcome,
        "opened_by": case.opened_by.username,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "alerts": list(CaseAlert.objects.filter(case=case).values_list("alert_id", flat=True)),
    }


def case_detail_out(case: Case) -> dict:
    body = case_out(case)
    body["notes"] = [
        {"id": n.pk, "author": n.author.username, "text": n.text, "created_at": n.created_at}
        for n in case.notes.select_related("author")
    ]
    body["attachments"] = [
        {
            "id": a.pk,
            "name": a.name,
            "sha256": a.sha256,
            "size": a.size,
            "uploaded_by": a.uploaded_by.username,
            "uploaded_at": a.uploaded_at,
        }
        for a in case.attachments.select_related("uploaded_by")
    ]
    body["steps"] = [
        {"action": s.action, "actor": s.actor.username, "at": s.at, "detail": s.detail}
        for s in case.steps.select_related("actor")
    ]
    return body
