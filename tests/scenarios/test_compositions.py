"""Scenario (issue 16, findings 4 and 5), through the API and the CLI: a magnet maker
records its NdFeB magnet with the iron and boron it holds (any element of the periodic
table), while conservation and REO stay per rare earth; an "oxide" holding more Dy
than Dy2O3 can (87.13 %) is refused naming the element, the ceiling and the hint, and
its honest twin at the ceiling is accepted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reetrace.ledger.models import Event
from tests.factories.chain import MAGNET, PRND_METAL, PRND_OX, A, receive, ship, transform
from tests.factories.chain import new_lot as lot
from tests.factories.world import at
from tests.scenarios.through_api import API, post_events

pytestmark = pytest.mark.django_db


def ore_at_separator(world) -> None:
    post_events(
        world.client(world.miner),
        {
            "event_id": "m-a",
            "kind": "mine",
            "quota": "Q-2025-MINING-1",
            "event_time": at(3, 1),
            "lot": lot(A, "ORE-BASTNAESITE", "100000", Nd="0.008", Pr="0.0025", Dy="0.0008"),
        },
        ship("s-a", A, "100000", world.separator, 2),
    )
    post_events(world.client(world.separator), receive("r-a", "s-a", "100000", 3))


def separate(world, output: dict, status: int = 200) -> dict:
    return post_events(
        world.client(world.separator),
        transform("t-sep", "separation", [(A, "100000")], [output], 4, quota="Q-2025-SEP-1"),
        status=status,
    )


def test_an_oxide_above_its_stoichiometric_ceiling_is_refused_naming_it(world):
    ore_at_separator(world)
    before = Event.objects.count()
    body = separate(world, lot(PRND_OX, "OXIDE-DY", "50", Dy="0.995"), status=400)
    [error] = body["errors"]
    assert (error["record"], error["field"]) == ("t-sep", "outputs.0.composition.Dy")
    assert error["code"] == "composition_invalid"
    assert (
        "= 0.995 is above 0.871321, the most Dy its oxide can hold (Dy2O3 is 87.13 % Dy)"
        in (error["message"])
    )
    assert "mass fractions of each element as metal" in error["message"]
    assert Event.objects.count() == before
    # the honest twin: pure Dy2O3 declared as its metal fraction
    assert separate(world, lot(PRND_OX, "OXIDE-DY", "50", Dy="0.8713"))["created"] == 1


def test_classification_refuses_the_impossible_oxide_too(world):
    client = world.client("customs_officer")
    url = f"{API}/exportcontrol/classify/oxide"
    refused = client.get(url, {"composition": "Dy=0.995", "date": "2025-06-01"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "composition.Dy"
    assert client.get(url, {"composition": "Dy=0.87", "date": "2025-06-01"}).status_code == 200
    with pytest.raises(CommandError, match=r"composition.Dy = 0.995 is above 0.871321"):
        call_command("classify", "--form", "oxide", "--composition", "Dy=0.995")


def test_an_ndfeb_magnet_records_its_iron_and_boron_and_counts_only_rare_earths(world):
    ore_at_separator(world)
    separate(world, lot(PRND_OX, "OXIDE-PRND", "1000", Nd="0.6", Pr="0.18"))
    post_events(world.client(world.separator), ship("s-ox", PRND_OX, "1000", world.metal_maker, 5))
    post_events(
        world.client(world.metal_maker),
        receive("r-ox", "s-ox", "1000", 6),
        transform(
            "t-red",
            "reduction",
            [(PRND_OX, "1000")],
            [lot(PRND_METAL, "METAL-PRND", "700", Nd="0.77", Pr="0.23")],
            7,
        ),
        ship("s-m", PRND_METAL, "700", world.magnet_maker, 8),
    )
    magnets = world.client(world.magnet_maker)
    made = transform(
        "t-mag",
        "magnet_making",
        [(PRND_METAL, "700")],
        [lot(MAGNET, "MAGNET-NDFEB-SINTERED", "2000", Nd="0.25", Pr="0.075", Fe="0.655", B="0.01")],
        10,
    )
    post_events(magnets, receive("r-m", "s-m", "700", 9), made)
    shown = world.client("regulator").get(f"{API}/lots/{MAGNET}").json()
    assert {el: Decimal(f) for el, f in shown["composition"].items()} == {
        "B": Decimal("0.01"),
        "Fe": Decimal("0.655"),
        "Nd": Decimal("0.25"),
        "Pr": Decimal("0.075"),
    }
    assert set(shown["reo_kg"]) == {"Nd", "Pr"}  # REO is per rare earth only
    # conservation still holds per rare earth: more Nd than the inputs is refused
    greedy = made | {"event_id": "t-mag-2", "event_time": at(3, 11)}
    greedy["outputs"] = [lot(None, "MAGNET-NDFEB-SINTERED", "10", Nd="0.3", Fe="0.6")]
    greedy["inputs"] = [{"lot": MAGNET, "mass": "10"}]
    body = post_events(magnets, greedy, status=400)
    assert body["errors"][0]["code"] == "conservation_violated"
    assert body["errors"][0]["field"] == "outputs.Nd"
    # a symbol that is no element is still refused
    bad = made | {"event_id": "t-mag-3"}
    bad["outputs"] = [lot(None, "MAGNET-NDFEB-SINTERED", "1", Nd="0.25", Xx="0.6")]
    body = post_events(magnets, bad, status=400)
    assert "'Xx' is not an element symbol of the periodic table" in body["errors"][0]["message"]
