"""The tamper-evident hash chain over all events.

Each event's chain hash is SHA-256 over the previous event's chain hash, its own
id, recorded time and content hash. Editing or deleting any stored event breaks
every later link, which `reetrace verify-chain` reports. Extending the chain
takes the ChainHead row lock, so event primary keys follow chain order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from reetrace.ledger.models import ChainHead, Event

GENESIS = "0" * 64


def link_hash(previous: str, event: Event) -> str:
    # The recorded time as UTC text: the database gives it back in UTC whatever
    # offset it arrived with (a loader's +08:00), and the chain must verify from it.
    recorded = event.recorded_at.astimezone(UTC).isoformat()
    material = "|".join([previous, event.event_id, recorded, event.content_hash])
    return hashlib.sha256(material.encode()).hexdigest()


def chain_extend(events: list[Event]) -> None:
    """Give new events their chain hashes; call inside the capture transaction."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    previous = head.last_hash
    for event in events:
        event.chain_hash = previous = link_hash(previous, event)
    head.last_hash = previous
    head.length += len(events)
    head.save(update_fields=["last_hash", "length"])


@dataclass
class ChainBreak:
    event_id: str
    position: int
    reason: str


def chain_verify(events: Iterable[Event] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break."""
    rows = events if events is not None else Event.objects.order_by("pk").iterator(chunk_size=5000)
    previous, checked = GENESIS, 0
    for checked, event in enumerate(rows, start=1):
        expected = link_hash(previous, event)
        if event.chain_hash != expected:
            return checked, ChainBreak(event.event_id, checked, "content or order changed")
        previous = event.chain_hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.length != checked):
        return checked, ChainBreak("(end)", checked, "events missing after the last one checked")
    return checked, None
