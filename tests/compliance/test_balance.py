"""The monthly mass balance: flows per element carried from month to month."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.compliance.mass_balance import mass_balance
from tests.factories.world import mine_event, receive_event, ship_event


def line(lines, enterprise, element, month):
    return next(
        x
        for x in lines
        if (x.enterprise_id, x.element, x.period) == (enterprise.pk, element, date(2025, month, 1))
    )


def test_opening_flows_and_closing_per_element(world):
    world.capture(
        world.miner,
        mine_event(1, kg="1000", month=1),
        ship_event("s1", 1, "400", world.separator, month=2),
    )
    world.capture(world.separator, receive_event("r1", "s1", "400", month=2))
    lines = mass_balance()
    nd_factor = 1.1664
    january = line(lines, world.miner, "Nd", 1)
    assert january.opening == 0
    assert january.flows["origin"] == pytest.approx(1000 * 0.008 * nd_factor)
    february = line(lines, world.miner, "Nd", 2)
    assert february.opening == pytest.approx(january.closing)
    assert february.flows["shipped"] == pytest.approx(-400 * 0.008 * nd_factor)
    assert february.closing == pytest.approx(600 * 0.008 * nd_factor)
    received = line(lines, world.separator, "Nd", 2)
    assert received.flows["received"] == pytest.approx(400 * 0.008 * nd_factor)
    assert [
        x.period
        for x in mass_balance(start=date(2025, 2, 1))
        if x.element == "Nd" and x.enterprise_id == world.miner.pk
    ] == [date(2025, 2, 1)]
