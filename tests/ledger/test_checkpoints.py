"""Signed checkpoints: a chain rewritten wholesale (every seal and link recomputed, as a
database administrator could) verifies on its own, but not against an earlier checkpoint."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from reetrace.ledger.capture.content import content_digest
from reetrace.ledger.chain import GENESIS, chain_verify, link_hash
from reetrace.ledger.models import ChainHead, Checkpoint, Event, Posting, Shipment
from reetrace.ledger.monthly import flows_rebuild
from reetrace.ledger.movements import movements_rebuild
from reetrace.ledger.seal import stored_seals
from tests.factories.world import mine_event, ship_event


@pytest.fixture
def key(settings, tmp_path):
    settings.REETRACE_CHECKPOINT_KEY = tmp_path / "checkpoint-key.pem"
    call_command("chain", "keygen")
    return settings.REETRACE_CHECKPOINT_KEY


@pytest.fixture
def checkpointed(world, key, tmp_path):
    world.capture(world.miner, mine_event(1), mine_event(2))
    world.capture(world.miner, ship_event("s1", 1, "5", world.separator))
    out = tmp_path / "cp.json"
    call_command("chain", "checkpoint", "--out", str(out))
    return out


def _rewrite_wholesale() -> None:
    """Change one shipment's mass in its payload, content hash, rows, seals and links:
    everything the database holds stays consistent."""
    event = Event.objects.get(event_id="s1")
    event.payload["mass"] = "4.000000"
    Event.objects.filter(pk=event.pk).update(
        payload=event.payload, content_hash=content_digest(event.payload)
    )
    Shipment.objects.filter(event=event).update(kg=4)
    for posting in Posting.objects.filter(event=event):
        Posting.objects.filter(pk=posting.pk).update(kg=4 if posting.kg > 0 else -4)
    flows_rebuild()
    movements_rebuild()
    previous = GENESIS
    events = list(Event.objects.order_by("pk"))
    seals = stored_seals(events, lambda name: apps.get_model("ledger", name))
    for row in events:
        seal = seals[row.pk]
        previous = link_hash(previous, row, seal.digest)
        Event.objects.filter(pk=row.pk).update(chain_hash=previous, seal=seal.fingerprint)
    ChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_a_checkpoint_is_signed_recorded_and_verifies(checkpointed, capsys):
    signed = json.loads(checkpointed.read_text())
    assert signed["position"] == 3
    assert signed["event_id"] == "s1"
    assert Checkpoint.objects.get().chain_hash == signed["chain_hash"]
    call_command("verify_chain", "--checkpoint", str(checkpointed))
    assert "extends the checkpoint" in capsys.readouterr().out


def test_the_chain_growing_after_a_checkpoint_still_extends_it(world, checkpointed):
    world.capture(world.miner, mine_event(3))
    call_command("verify_chain", "--checkpoint", str(checkpointed))


def test_a_wholesale_rewrite_verifies_alone_but_not_against_the_checkpoint(checkpointed):
    _rewrite_wholesale()
    assert chain_verify()[1] is None  # what only a checkpoint can catch
    with pytest.raises(CommandError, match="the chain was rewritten"):
        call_command("verify_chain", "--checkpoint", str(checkpointed))


def test_an_altered_checkpoint_file_is_refused(checkpointed):
    signed = json.loads(checkpointed.read_text())
    signed["chain_hash"] = hashlib.sha256(b"forged").hexdigest()
    checkpointed.write_text(json.dumps(signed))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("verify_chain", "--checkpoint", str(checkpointed))


def test_a_checkpoint_past_the_end_means_events_were_removed(checkpointed):
    signed = json.loads(checkpointed.read_text())
    assert signed["position"] == 3
    Event.objects.filter(event_id="s1").update(chain_hash="x")  # make the tail unreadable
    with pytest.raises(CommandError):
        call_command("verify_chain", "--checkpoint", str(checkpointed))


def test_no_key_is_a_clear_error(world, settings, tmp_path):
    settings.REETRACE_CHECKPOINT_KEY = tmp_path / "missing.pem"
    world.capture(world.miner, mine_event(1))
    with pytest.raises(CommandError, match="reetrace chain keygen"):
        call_command("chain", "checkpoint")


def test_keygen_never_replaces_a_key(key):
    before = key.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("chain", "keygen")
    call_command("chain", "keygen", "--if-missing")
    assert key.read_bytes() == before
