"""Re-link the hash chain with recorded times as UTC text, if the chain is intact.

Links used to hash `recorded_at` as it arrived; an event recorded with an offset
(the synthetic loader's +08:00) was read back in UTC, so such a chain never
verified. Every stored link is first checked under the old rule, trying the time
in UTC and in China time (the only offset the loader used). Only if every link
holds are the hashes rewritten under the new rule, so a chain that was tampered
with stays broken and `reetrace verify-chain` still reports where.
"""

import hashlib
from datetime import UTC, timedelta, timezone

from django.db import migrations

GENESIS = "0" * 64
CHINA = timezone(timedelta(hours=8))
CHUNK = 5000


def _link(previous: str, event_id: str, recorded: str, content_hash: str) -> str:
    return hashlib.sha256("|".join([previous, event_id, recorded, content_hash]).encode()).hexdigest()


def _old_link_holds(previous: str, event) -> bool:
    for zone in (UTC, CHINA):
        recorded = event.recorded_at.astimezone(zone).isoformat()
        if _link(previous, event.event_id, recorded, event.content_hash) == event.chain_hash:
            return True
    return False


def relink(apps, schema_editor):
    Event = apps.get_model("ledger", "Event")
    ChainHead = apps.get_model("ledger", "ChainHead")
    previous = GENESIS
    for event in Event.objects.order_by("pk").iterator(chunk_size=CHUNK):
        if not _old_link_holds(previous, event):
            return  # broken before this migration: leave it for verify-chain to report
        previous = event.chain_hash
    previous, changed = GENESIS, []
    for event in Event.objects.order_by("pk").iterator(chunk_size=CHUNK):
        recorded = event.recorded_at.astimezone(UTC).isoformat()
        new = _link(previous, event.event_id, recorded, event.content_hash)
        if new != event.chain_hash:
            event.chain_hash = new
            changed.append(event)
        previous = new
        if len(changed) >= CHUNK:
            Event.objects.bulk_update(changed, ["chain_hash"])
            changed = []
    Event.objects.bulk_update(changed, ["chain_hash"])
    ChainHead.objects.filter(pk=1).update(last_hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_drop_covered_indexes"),
    ]

    operations = [migrations.RunPython(relink, migrations.RunPython.noop)]
