"""The mass balance report: API GET /compliance/balance and `reetrace balance`."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reetrace.accounts.permissions import UserRole
from tests.factories.world import mine_event, receive_event, ship_event

pytestmark = pytest.mark.django_db
ND = 0.008 * 1.1664  # kg of Nd as oxide per kg of the factories' ore


@pytest.fixture
def shipped(world):
    world.capture(
        world.miner,
        mine_event(1, kg="1000", month=1),
        ship_event("s1", 1, "400", world.magnet_maker, month=2),
    )
    world.capture(world.magnet_maker, receive_event("r1", "s1", "400", month=2))
    return world


def test_regulator_reads_an_enterprises_balance_per_month_and_element(shipped):
    world = shipped
    response = world.client(UserRole.REGULATOR).get(
        "/api/v1/compliance/balance",
        {"enterprise": world.miner.identifier, "from": "2025-02", "to": "2025-02", "element": "Nd"},
    )
    assert response.status_code == 200
    [line] = response.json()
    assert line["period"] == "2025-02" and line["element"] == "Nd" and line["unit"] == "kg REO"
    assert line["opening"] == pytest.approx(1000 * ND, abs=0.001)
    assert line["shipped"] == pytest.approx(400 * ND, abs=0.001)
    assert line["closing"] == pytest.approx(600 * ND, abs=0.001)
    flows = line["origin"] + line["received"] + line["produced"] + line["adjusted"]
    outs = line["shipped"] + line["exported"] + line["consumed"]
    assert line["opening"] + flows - outs == pytest.approx(line["closing"], abs=0.002)


def test_enterprise_user_sees_only_its_own_balance(shipped):
    world = shipped
    client = world.client(UserRole.ENTERPRISE)  # the magnet maker's user
    own = client.get("/api/v1/compliance/balance", {"element": "Nd"}).json()
    assert {line["enterprise"] for line in own} == {world.magnet_maker.identifier}
    assert own[0]["received"] == pytest.approx(400 * ND, abs=0.001)
    other = client.get("/api/v1/compliance/balance", {"enterprise": world.miner.identifier})
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    assert (
        world.client(UserRole.LICENSING_OFFICER).get("/api/v1/compliance/balance").status_code
        == 403
    )


def test_balance_refuses_an_unknown_element_month_or_enterprise(shipped):
    client = shipped.client(UserRole.REGULATOR)
    assert client.get("/api/v1/compliance/balance", {"element": "Xx"}).status_code == 400
    assert client.get("/api/v1/compliance/balance", {"from": "March"}).status_code == 400
    assert client.get("/api/v1/compliance/balance", {"enterprise": "nobody"}).status_code == 404


def test_balance_command_prints_json_and_a_table_with_units(shipped, capsys):
    world = shipped
    call_command("balance", world.miner.identifier, element="Nd", json=True)
    lines = json.loads(capsys.readouterr().out)
    assert [line["period"] for line in lines] == ["2025-01", "2025-02"]
    assert lines[1]["closing"] == pytest.approx(600 * ND, abs=0.001)
    call_command("balance", world.miner.identifier, **{"start": None, "end": None})
    out = capsys.readouterr().out
    assert "closing" in out and "(kg REO)" in out and "Nd" in out
    with pytest.raises(CommandError, match="does not exist"):
        call_command("balance", "nobody")
