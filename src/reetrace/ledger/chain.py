"""The tamper-evident hash chain over all events and every row they wrote.

Each event's chain hash is SHA-256 over the previous event's chain hash, its own
id, recorded time, content hash and the digest of its rows (`ledger/seal.py`).
Verification recomputes all of it from what is stored now: the content hash
from the stored payload, the rows' digest from the stored rows, every link from
the one before, and the monthly flow summary from the postings. Editing,
deleting or inserting any of those rows breaks the chain at the first event
concerned, and the break names the table and the field. Extending the chain
takes the ChainHead row lock, so event primary keys follow chain order.

A database administrator could still rewrite the whole chain consistently;
signed checkpoints kept outside the database (`ledger/checkpoints.py`) catch that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.apps import apps as django_apps

from reetrace.ledger.capture.content import content_digest
from reetrace.ledger.models import ChainHead, Event
from reetrace.ledger.seal import Seal, seal_compare, stored_seals

GENESIS = "0" * 64
CHUNK = 5000


def link_hash(previous: str, event: Event, rows_digest: str) -> str:
    # The recorded time as UTC text: the database gives it back in UTC whatever
    # offset it arrived with (a loader's +08:00), and the chain must verify from it.
    recorded = event.recorded_at.astimezone(UTC).isoformat()
    material = "|".join([previous, event.event_id, recorded, event.content_hash, rows_digest])
    return hashlib.sha256(material.encode()).hexdigest()


def chain_extend(sealed: list[tuple[Event, Seal]]) -> None:
    """Give new events their seals and chain hashes; call inside the capture transaction."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    previous = head.last_hash
    for event, seal in sealed:
        event.seal = seal.fingerprint
        event.chain_hash = previous = link_hash(previous, event, seal.digest)
    head.last_hash = previous
    head.length += len(sealed)
    head.save(update_fields=["last_hash", "length"])


@dataclass
class ChainBreak:
    event_id: str
    position: int
    table: str
    field: str
    reason: str

    def __str__(self) -> str:
        return (
            f"hash chain broken at event {self.event_id} (position {self.position}): "
            f"table {self.table}, field {self.field}: {self.reason}"
        )


def event_chunks(model_of: Callable[..., Any] = django_apps.get_model) -> Iterator[list]:
    """Stored events in chain (key) order, a chunk at a time, no cursor held open."""
    model = model_of("ledger", "Event")
    last = 0
    while chunk := list(model.objects.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield chunk
        last = chunk[-1].pk


def _diagnose(event: Event, seal: Seal, position: int) -> ChainBreak:
    """Why an event's link does not hold: the first stored value that changed."""

    def broken(table: str, field: str, reason: str) -> ChainBreak:
        return ChainBreak(event.event_id, position, table, field, reason)

    if content_digest(event.payload) != event.content_hash:
        return broken("ledger_event", "payload", "the stored content no longer has its hash")
    difference = seal_compare(event.seal, seal.fingerprint)
    if difference is not None:
        return broken(difference.table, difference.field, difference.detail)
    return broken(
        "ledger_event",
        "chain_hash",
        "the link does not follow from the previous one: this event's id, recorded "
        "time, content hash or chain hash changed, an event before it was removed, "
        "or a row of it changed in a way its fingerprint does not show",
    )


def chain_verify(
    *, through: int | None = None, monthly: bool = True
) -> tuple[int, ChainBreak | None]:
    """Walk the chain (up to position `through`); return how many events were checked
    and the first break. With `monthly`, the flow and movement summaries are re-derived too."""
    previous, checked = GENESIS, 0
    model_of = django_apps.get_model
    for chunk in event_chunks():
        seals = stored_seals(chunk, lambda name: model_of("ledger", name))
        for event in chunk:
            checked += 1
            seal = seals[event.pk]
            if (
                link_hash(previous, event, seal.digest) != event.chain_hash
                or content_digest(event.payload) != event.content_hash
            ):
                return checked, _diagnose(event, seal, checked)
            if seal.fingerprint != event.seal:
                return checked, ChainBreak(
                    event.event_id,
                    checked,
                    "ledger_event",
                    "seal",
                    "the stored fingerprint was changed",
                )
            previous = event.chain_hash
            if through is not None and checked == through:
                return checked, None
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.length != checked):
        return checked, ChainBreak(
            "(end)",
            checked,
            "ledger_event",
            "(rows)",
            f"the chain head records {head.length} events ending in {head.last_hash[:12]}…; "
            f"{checked} are stored: events were removed after the last one checked",
        )
    if monthly:
        from reetrace.ledger.monthly import flows_compare
        from reetrace.ledger.monthly_exports import exports_compare
        from reetrace.ledger.movements import movements_compare
        from reetrace.ledger.quota_draws import draws_compare

        summaries = (
            (flows_compare, "ledger_monthlyflow"),
            (movements_compare, "ledger_monthlymovement"),
            (exports_compare, "ledger_monthlyexport"),
            (draws_compare, "ledger_quotadraw"),
        )
        for compare, table in summaries:
            difference = compare()
            if difference is not None:
                return checked, ChainBreak("(summary)", checked, table, *difference)
    return checked, None


def chain_position_hash(position: int) -> str | None:
    """The chain hash stored at a 1-based position, or None past the end."""
    event = Event.objects.order_by("pk").values_list("chain_hash", flat=True)[
        position - 1 : position
    ]
    return next(iter(event), None)
