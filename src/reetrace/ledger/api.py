"""Ledger endpoints: capture a batch of events, read events and lots."""

from __future__ import annotations

from ninja import Query, Router, Schema

from reetrace.core.access import requires
from reetrace.core.paging import limit_field, offset_field
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.outputs import event_out
from reetrace.ledger.schemas import BatchIn, BatchOut, EventOut
from reetrace.ledger.selectors import event_visible, events_visible

router = Router(tags=["ledger"])
ERRORS = errors(400, 403, 404, 409, 422)


@router.post("/events", response={200: BatchOut, **ERRORS}, operation_id="events_capture")
@requires(Permission.LEDGER_EVENT_CAPTURE)
def events_capture(request, batch: BatchIn):
    """Capture a batch of events all-or-nothing; resent event ids return the originals."""
    result = batch_capture(actor=request.auth, items=batch.events)
    return {
        "created": result.created,
        "replayed": result.replayed,
        "events": [
            {
                "event_id": i.event.event_id,
                "kind": i.event.kind,
                "status": "created" if i.created else "replayed",
                "period": f"{i.event.period:%Y-%m}",
                "is_late": i.event.is_late,
                "lots_created": i.lot_codes,
            }
            for i in result.items
        ],
    }


class EventFilter(Schema):
    kind: str | None = None
    reporter: str | None = None
    period: str | None = None
    limit: int = limit_field(100, 1000)
    offset: int = offset_field()


@router.get("/events", response={200: list[EventOut], **ERRORS}, operation_id="events_list")
@requires(Permission.LEDGER_EVENT_READ)
def events_list(request, filters: Query[EventFilter]):
    """Events the caller may see, newest first (limit at most 1000)."""
    events = events_visible(actor=request.auth)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.reporter:
        events = events.filter(reporter__identifier=filters.reporter)
    if filters.period:
        events = events.filter(period=period_parse(filters.period))
    page = events.order_by("-recorded_at", "-pk")[filters.offset : filters.offset + filters.limit]
    return [event_out(e) for e in page]


@router.get("/events/{event_id}", response={200: EventOut, **ERRORS}, operation_id="events_get")
@requires(Permission.LEDGER_EVENT_READ)
def events_get(request, event_id: str):
    return event_out(event_visible(actor=request.auth, event_id=event_id))
