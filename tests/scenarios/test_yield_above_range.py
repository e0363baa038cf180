"""Scenario (issue 16, finding 1): a separator whose run recovers more REO than
separation can (99.9 % against 92-97.5 %) has topped its feed up with ore it never
recorded; the twin that recovers 95 % raises nothing."""

from __future__ import annotations

import pytest

from tests.compliance.helpers import separation
from tests.factories.world import code, mine_event, receive_event, ship_event
from tests.scenarios.through_api import detect_through_api, post_events

pytestmark = pytest.mark.django_db

RULES = ["yield_out_of_range", "yield_above_range"]


def separate(world, yield_: str) -> None:
    post_events(
        world.client(world.miner), mine_event(1), ship_event("s1", 1, "40000", world.separator)
    )
    post_events(
        world.client(world.separator),
        receive_event("r1", "s1", "40000"),
        separation("sep-1", "40000", yield_=yield_),
    )


def test_a_yield_above_the_range_fires_naming_the_run_and_its_surplus(
    world, django_capture_on_commit_callbacks
):
    separate(world, "0.999")
    [alert] = detect_through_api(world, django_capture_on_commit_callbacks, RULES)
    assert alert["rule"] == "yield_above_range"
    assert (alert["enterprise"], alert["period"]) == (world.separator.identifier, "2025-01")
    assert set(alert["lots"]) == {code(1), code(101)}
    assert alert["figures"]["range"] == [0.92, 0.975]
    assert alert["figures"]["observed"] == pytest.approx(0.999, abs=1e-4)
    # 40 t of ore at 5.1 % rare-earth metal: 2,449.1 kg REO in, 2.4 % of it beyond 97.5 %
    assert alert["figures"]["input_reo_kg"] == pytest.approx(2449.1, abs=0.1)
    assert alert["figures"]["surplus_reo_kg"] == pytest.approx(58.78, abs=0.01)
    assert "99.9%" in alert["explanation"] and "off the books" in alert["explanation"]
    assert [e["event_id"] for e in alert["evidence"]] == ["sep-1"]


def test_the_honest_twin_inside_the_range_raises_nothing(world, django_capture_on_commit_callbacks):
    separate(world, "0.95")
    assert detect_through_api(world, django_capture_on_commit_callbacks, RULES) == []
