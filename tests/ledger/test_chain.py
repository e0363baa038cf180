"""The event hash chain detects an edited, a deleted and a reordered event."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import Event
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
