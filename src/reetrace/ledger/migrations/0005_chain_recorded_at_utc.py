"""Re-link the hash chain with recorded times as UTC text, if the chain is intact.

Links used to hash `recorded_at` as it arrived; an event recorded with an offset
(the synthetic loader's +08:00) was read back in UTC, so such a chain never
verified. Every stored link is first checked under the old rule, trying the time
in UTC, in China time and at the offset of the event's own time (the offsets a
client sends). Only if every link holds are the hashes rewritten under the new
rule; otherwise nothing changes and `reetrace verify-chain` reports the first
link that does not verify. The chain head is locked throughout, so no capture
can extend the chain while it is re-linked.
"""

import hashlib
from datetime import UTC, timedelta, timezone

from django.db import migrations

GENESIS = "0" * 64
CHINA = timezone(timedelta(hours=8))
CHUNK = 5000


def _link(previous: str, event_id: str, recorded: str, content_hash: str) -> str:
    material = "|".join([previous, event_id, recorded, content_hash])
    return hashlib.sha256(material.encode()).hexdigest()


def _old_link_holds(previous: str, event) -> bool:
    own = timezone(timedelta(minutes=event.utc_offset_minutes))
    for zone in (UTC, CHINA, own):
        recorded = event.recorded_at.astimezone(zone).isoformat()
        if _link(previous, event.event_id, recorded, event.content_hash) == event.chain_hash:
            return True
    return False


def _chunks(Event):
    """Events in key order, a chunk at a time (no cursor left open while updating)."""
    last = 0
    while chunk := list(Event.objects.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield chunk
        last = chunk[-1].pk


def relink(apps, schema_editor):
    Event = apps.get_model("ledger", "Event")
    ChainHead = apps.get_model("ledger", "ChainHead")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        return
    previous = GENESIS
    for chunk in _chunks(Event):
        for event in chunk:
            if not _old_link_holds(previous, event):
                return
            previous = event.chain_hash
    previous = GENESIS
    for chunk in _chunks(Event):
        changed = []
        for event in chunk:
            recorded = event.recorded_at.astimezone(UTC).isoformat()
            new = _link(previous, event.event_id, recorded, event.content_hash)
            if new != event.chain_hash:
                event.chain_hash = new
                changed.append(event)
            previous = new
        Event.objects.bulk_update(changed, ["chain_hash"])
    head.last_hash = previous
    head.save(update_fields=["last_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_drop_covered_indexes"),
    ]

    operations = [migrations.RunPython(relink, migrations.RunPython.noop)]
