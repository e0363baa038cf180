"""The event hash chain detects an edited, a deleted and a reordered event."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import ChainHead, Event
from tests.factories.world import mine_event, ship_event


@pytest.fixture
def chained(world):
    world.capture(world.miner, mine_event(1), mine_event(2))
    world.capture(world.miner, ship_event("s1", 1, "5", world.separator))
    return world


def test_intact_chain_verifies(chained, capsys):
    assert chain_verify() == (3, None)
    call_command("verify_chain")
    assert "3 events verified" in capsys.readouterr().out


def test_edited_content_breaks_the_chain(chained):
    Event.objects.filter(event_id="mine-2").update(content_hash="f" * 64)
    checked, broken = chain_verify()
    assert (broken.event_id, broken.position) == ("mine-2", 2)
    with pytest.raises(CommandError, match="mine-2"):
        call_command("verify_chain")


def test_tampered_last_link_is_noticed(chained):
    Event.objects.filter(event_id="s1").update(chain_hash="0" * 64)
    assert chain_verify()[1].event_id == "s1"


_relink = import_module("reetrace.ledger.migrations.0005_chain_recorded_at_utc")


def _hash_in_china_time() -> None:
    """The chain as it was hashed before recorded times were linked as UTC text."""
    previous = _relink.GENESIS
    for event in Event.objects.order_by("pk"):
        recorded = event.recorded_at.astimezone(_relink.CHINA).isoformat()
        previous = _relink._link(previous, event.event_id, recorded, event.content_hash)
        Event.objects.filter(pk=event.pk).update(chain_hash=previous)
    ChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_migration_relinks_a_chain_hashed_in_china_time(chained):
    _hash_in_china_time()
    assert chain_verify()[1] is not None
    _relink.relink(django_apps, None)
    assert chain_verify() == (3, None)


def test_migration_leaves_a_tampered_chain_broken(chained):
    _hash_in_china_time()
    Event.objects.filter(event_id="mine-2").update(content_hash="f" * 64)
    hashes = list(Event.objects.order_by("pk").values_list("chain_hash", flat=True))
    _relink.relink(django_apps, None)
    # not laundered: the stored links stay as they were, and the chain does not verify
    assert list(Event.objects.order_by("pk").values_list("chain_hash", flat=True)) == hashes
    assert chain_verify()[1] is not None
