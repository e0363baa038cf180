"""Reads of events, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import NotFound
from reetrace.ledger.models import Event


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
