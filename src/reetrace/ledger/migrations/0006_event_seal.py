"""Seal every event's rows into the hash chain, if the chain is intact.

Links used to cover an event's content hash only, so an edited shipment,
posting or lot went unnoticed. Each event now keeps a fingerprint of its rows
and its link covers their digest (`ledger/seal.py`). Every stored link is first
checked under the previous rule; only if every link holds are the seals written
and the chain re-linked; otherwise nothing changes and `reetrace verify_chain`
reports the first link that does not verify. The chain head is locked
throughout, so no capture can extend the chain while it is re-linked.

The seal is read by the ledger's own `stored_seals` with this migration's models:
it reads the row tables, whose columns this migration does not change.
"""

import hashlib
from datetime import UTC

from django.db import migrations, models

from reetrace.ledger.seal import stored_seals

GENESIS = "0" * 64
CHUNK = 5000


def _link(previous: str, event, *extra: str) -> str:
    recorded = event.recorded_at.astimezone(UTC).isoformat()
    material = "|".join([previous, event.event_id, recorded, event.content_hash, *extra])
    return hashlib.sha256(material.encode()).hexdigest()


def _chunks(Event):
    last = 0
    while chunk := list(Event.objects.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield chunk
        last = chunk[-1].pk


def reseal(apps, schema_editor):
    Event = apps.get_model("ledger", "Event")
    ChainHead = apps.get_model("ledger", "ChainHead")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        return
    previous = GENESIS
    for chunk in _chunks(Event):
        for event in chunk:
            if _link(previous, event) != event.chain_hash:
                return
            previous = event.chain_hash
    previous = GENESIS
    for chunk in _chunks(Event):
        seals = stored_seals(chunk, lambda name: apps.get_model("ledger", name))
        for event in chunk:
            seal = seals[event.pk]
            event.seal = seal.fingerprint
            event.chain_hash = previous = _link(previous, event, seal.digest)
        Event.objects.bulk_update(chunk, ["seal", "chain_hash"])
    head.last_hash = previous
    head.save(update_fields=["last_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_chain_recorded_at_utc"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="seal",
            field=models.TextField(
                default="",
                help_text="a short fingerprint of every row the event wrote, per table and field",
                verbose_name="seal",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="chain_hash",
            field=models.CharField(
                default="",
                help_text="SHA-256 of the previous chain hash, this event and the rows it wrote",
                max_length=64,
                verbose_name="chain hash",
            ),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
