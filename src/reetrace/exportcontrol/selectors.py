"""Reads of applications, licences and refused exports, scoped to the actor.

National roles see everything; an enterprise user sees its own applications,
licences and refused attempts; a foreign partner analyst sees the applications
naming an importer of its country as consignee, and of those only the state and
the dates (the `detail` part stays empty).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import NotFound
from reetrace.exportcontrol.choices import OPEN_STATES
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.models import (
    Application,
    Document,
    Licence,
    RefusedExport,
    VettedExporter,
)
from reetrace.exportcontrol.services.applications import china_date
from reetrace.exportcontrol.services.workflow import application_clock, transitions_by_application
from reetrace.exportcontrol.workdays import Clock, WorkCalendar
from reetrace.ledger.rules import CHINA_TIME
from reetrace.registry.models import Enterprise

__all__ = [
    "application_visible",
    "applications_visible",
    "desk_queue",
    "document_of",
    "lead_times",
    "licence_visible",
    "licences_visible",
    "refused_export_rows",
    "refused_exports_visible",
    "today",
    "vettings_active",
    "vettings_visible",
]


def today() -> date:
    return china_date(timezone.now())


def applications_visible(*, actor: User) -> QuerySet[Application]:
    return visible_to(
        actor,
        Application.objects.select_related("applicant"),
        own=lambda enterprise: Q(applicant_id=enterprise),
        country=lambda country: Q(consignee_country=country),
    )


def application_visible(*, actor: User, number: str) -> Application:
    application = applications_visible(actor=actor).filter(number=number).first()
    if application is None:
        raise NotFound("application", number)
    return application


def document_of(application: Application, document_id: int) -> Document:
    """A document of an application the caller already may see (`application_visible`)."""
    found = application.documents.filter(pk=document_id).first()
    if found is None:
        raise NotFound("document", str(document_id))
    return found


def _due_order(row: dict) -> tuple:
    """Soonest due date first (provisional ones too: a weekday count is close enough
    to order by); applications not accepted yet come last."""
    clock: Clock | None = row["clock"]
    if clock is None:
        return (1, date.max, row["application"].submitted_at)
    return (0, clock.due, row["application"].submitted_at)


def desk_queue(*, actor: User, today: date) -> list[dict]:
    """Open applications (not drafts), the ones due soonest first; no clock yet = last."""
    rows = []
    queue = applications_visible(actor=actor).filter(state__in=OPEN_STATES - {S.DRAFT})
    histories, calendar = transitions_by_application(queue), WorkCalendar()
    for a in queue:
        clock = application_clock(a, today, calendar, histories.get(a.pk, []))
        rows.append({"application": a, "clock": clock})
    return sorted(rows, key=_due_order)


def lead_times(*, actor: User, today: date) -> list[dict]:
    """Working days from acceptance to decision of every decided application."""
    decided = applications_visible(actor=actor).filter(state__in=[S.APPROVED, S.REJECTED])
    rows = []
    histories, calendar = transitions_by_application(decided), WorkCalendar()
    for a in decided:
        clock = application_clock(a, today, calendar, histories.get(a.pk, []))
        if clock is not None:
            rows.append({"number": a.number, "state": a.state, "days": clock.elapsed})
    return rows


def licences_visible(*, actor: User) -> QuerySet[Licence]:
    rows = Licence.objects.select_related("exporter").prefetch_related("items")
    return visible_to(actor, rows, own=lambda enterprise: Q(exporter_id=enterprise))


def licence_visible(*, actor: User, number: str) -> Licence:
    licence = licences_visible(actor=actor).filter(number=number).first()
    if licence is None:
        raise NotFound("licence", number)
    return licence


def refused_exports_visible(*, actor: User) -> QuerySet[RefusedExport]:
    """Refused attempts keep the exporter as text (they name what was sent, registered
    or not), so an enterprise's own are those bearing its identifier."""
    return visible_to(
        actor,
        RefusedExport.objects.all(),
        own=lambda enterprise: Q(
            exporter__in=Enterprise.objects.filter(pk=enterprise).values("identifier")
        ),
    )


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TIME)


def refused_export_rows(
    *,
    actor: User,
    exporter: str = "",
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> list[dict]:
    """Refused attempts newest first, filtered by exporter identifier and by China dates
    `start`..`end` (both included), each with the exporter's registered name."""
    rows = refused_exports_visible(actor=actor)
    if exporter:
        rows = rows.filter(exporter=exporter)
    if start:
        rows = rows.filter(at__gte=_china_midnight(start))
    if end:
        rows = rows.filter(at__lt=_china_midnight(end + timedelta(days=1)))
    found = list(rows[:limit])
    names = {
        e.identifier: e.display_name
        for e in Enterprise.objects.filter(identifier__in={r.exporter for r in found})
    }
    return [
        {
            "at": r.at,
            "exporter": r.exporter,
            "exporter_name": names.get(r.exporter, ""),
            "event_id": r.event_id,
            "lot": r.lot,
            "mass": r.mass,
            "destination": r.destination,
            "consignee": r.consignee,
            "end_user": r.end_user,
            "licence_cited": r.licence_cited,
            "reason": r.reason,
            "codes": ", ".join(r.codes),
        }
        for r in found
    ]


def vettings_visible(*, actor: User) -> QuerySet[VettedExporter]:
    """Vettings, newest first: all for national roles, its own for an enterprise."""
    rows = VettedExporter.objects.select_related("enterprise", "vetted_by", "revoked_by")
    return visible_to(actor, rows, own=lambda enterprise: Q(enterprise_id=enterprise))


def vettings_active(*, actor: User) -> QuerySet[VettedExporter]:
    """The vettings an officer may still revoke."""
    return vettings_visible(actor=actor).filter(revoked_at__isnull=True)
