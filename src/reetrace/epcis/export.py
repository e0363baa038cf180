"""An enterprise's events over a period as one EPCIS 2.0 document.

Everything it reported, in event-time order (the order a fresh ledger can capture
them in: a lot is made before it is shipped), and the EPCIS events it sent that
changed no custody. Capturing the document again, as that enterprise, into a
database with the same registry gives the same ledger (`tests/epcis/test_roundtrip.py`).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.render import CONTEXT, epcis_events_of
from reetrace.ledger.models import Event
from reetrace.registry.models import Enterprise

__all__ = ["enterprise_document"]


def enterprise_document(enterprise: Enterprise, start: datetime, end: datetime) -> dict:
    """The EPCISDocument of `enterprise`'s events with start <= event time < end."""
    events = list(
        Event.objects.filter(reporter=enterprise, event_time__gte=start, event_time__lt=end)
        .select_related("reporter", "correction")
        .order_by("event_time", "recorded_at", "pk")
    )
    served = [(e.event_time, e.recorded_at, e.pk, d) for e, d in _pairs(events)]
    kept = EpcisEvent.objects.filter(
        reporter=enterprise, ledger_event__isnull=True, event_time__gte=start, event_time__lt=end
    )
    served += [
        (k.event_time, k.recorded_at, k.pk, k.served()) for k in kept.select_related("capture")
    ]
    served.sort(key=lambda row: row[:2])
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": [row[3] for row in served]},
    }


def _pairs(events: list[Event]):
    return epcis_events_of(events)
