"""Reads of events, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import NotFound
from reetrace.ledger.models import Correction, Event


def events_visible(*, actor: User) -> QuerySet[Event]:
    """Everything for national roles; an enterprise's own events and shipments to it."""
    events = Event.objects.select_related("reporter").prefetch_related("lots_created")
    return visible_to(
        actor,
        events,
        own=lambda enterprise: Q(reporter_id=enterprise) | Q(shipment__buyer_id=enterprise),
    )


def event_visible(*, actor: User, event_id: str) -> Event:
    event = events_visible(actor=actor).filter(event_id=event_id).first()
    if event is None:
        raise NotFound("event", event_id)
    return event


def in_force(rows: QuerySet, event: str = "event") -> QuerySet:
    """The rows whose event (`event`: the field naming it) no correction has voided.

    A probe of the correction's unique index per row (NOT EXISTS), where the filter
    `event__corrected_by__isnull=True` joins the event table, payloads and all, to
    reach the corrections: 308 ms against 3 ms for the drawdowns of a fifth of the
    medium year on PostgreSQL."""
    voided = Correction.objects.filter(corrected_id=OuterRef(f"{event}_id"))
    return rows.exclude(Exists(voided))
