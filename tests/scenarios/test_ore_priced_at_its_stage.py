"""Scenario (issue 16, finding 2): a miner sells Bayan Obo concentrate (50 % REO) at
China Northern Rare Earth's 2025 Q1 concentrate price, 18.62 CNY/kg. Its elements at
separated-oxide prices are worth 46.4 CNY/kg, but a concentrate sells at the ore stage
share of that (0.36, compliance/data/stage_shares.toml): the honest sale raises nothing,
the one at 8 CNY/kg is under-invoiced."""

from __future__ import annotations

import pytest

from tests.factories.world import code, mine_event, ship_event
from tests.scenarios.through_api import detect_through_api, post_events

pytestmark = pytest.mark.django_db

RULES = ["price_below_value", "price_above_value"]
CONCENTRATE = {"La": "0.1250", "Ce": "0.2000", "Pr": "0.0210", "Nd": "0.0720"}


def sell_concentrate(world, price: str) -> None:
    mined = mine_event(1, kg="20000")
    mined["lot"]["composition"] = CONCENTRATE
    post_events(
        world.client(world.miner), mined, ship_event("s1", 1, "20000", world.separator, price=price)
    )


def test_an_ore_sold_far_below_its_stage_value_fires(world, django_capture_on_commit_callbacks):
    sell_concentrate(world, "8.00")
    [alert] = detect_through_api(world, django_capture_on_commit_callbacks, RULES)
    assert alert["rule"] == "price_below_value"
    assert (alert["enterprise"], alert["period"]) == (world.miner.identifier, "2025-01")
    assert alert["lots"] == [code(1)]
    assert alert["figures"]["stage_share"] == 0.36
    # 46.40 CNY/kg of separated value (PrNd oxide 396 CNY/kg on 2024-12-31) x 0.36
    assert alert["figures"]["expected"] == pytest.approx(16.70, abs=0.01)
    assert alert["figures"]["observed"] == 8.0
    assert "as ore" in alert["explanation"]


def test_the_honest_twin_at_the_concentrate_price_raises_nothing(
    world, django_capture_on_commit_callbacks
):
    sell_concentrate(world, "18.62")
    assert detect_through_api(world, django_capture_on_commit_callbacks, RULES) == []
