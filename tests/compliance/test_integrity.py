"""The scheduled chain verification raises one critical alert, with the break as evidence."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from reetrace.compliance.models import Alert
from reetrace.ledger.models import Shipment
from tests.factories.world import mine_event, ship_event


@pytest.fixture
def shipped(world):
    world.capture(world.miner, mine_event(1))
    world.capture(world.miner, ship_event("s1", 1, "5", world.separator))
    return world


def test_an_intact_chain_raises_nothing(shipped, capsys):
    call_command("integrity")
    assert "2 events verified" in capsys.readouterr().out
    assert not Alert.objects.exists()


def test_a_break_raises_one_critical_alert_naming_table_and_field(shipped):
    Shipment.objects.update(kg=50)
    with pytest.raises(CommandError, match="critical alert"):
        call_command("integrity")
    with pytest.raises(CommandError):
        call_command("integrity")  # the same break again: still one alert
    alert = Alert.objects.get()
    assert (alert.rule, alert.severity, alert.events) == ("chain_broken", "critical", ["s1"])
    assert alert.enterprise == shipped.miner
    assert (alert.figures["table"], alert.figures["field"]) == ("ledger_shipment", "kg")
