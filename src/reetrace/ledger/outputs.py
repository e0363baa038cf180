"""Events as the API shows them."""

from __future__ import annotations

from reetrace.ledger.models import Event


def event_out(event: Event) -> dict:
    return {
        "event_id": event.event_id,
        "kind": event.kind,
        "reporter": event.reporter.identifier,
        "event_time": event.event_time,
        "period": f"{event.period:%Y-%m}",
        "recorded_at": event.recorded_at,
        "is_late": event.is_late,
        "content": event.payload,
        "lots_created": [lot.code for lot in event.lots_created.all()],
        "voided": hasattr(event, "corrected_by"),
    }
