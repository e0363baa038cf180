"""Closing a month: afterwards only corrections, flagged late; totals stay reproducible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.core.errors import BatchRejected, ErrorCode, ReetraceError
from reetrace.reporting.services import month_close, month_totals
from tests.factories.world import at, mine_event, ship_event

MARCH = "2025-03"


def close(world, enterprise, period=MARCH):
    from reetrace.core.periods import period_parse

    return month_close(
        actor=world.user_for(enterprise), enterprise=enterprise, period=period_parse(period)
    )


def test_closed_month_takes_only_corrections_flagged_late(world):
    world.capture(
        world.miner, mine_event(1, month=3), ship_event("s1", 1, "500", world.separator, month=3)
    )
    report = close(world, world.miner)
    assert report.event_count == 2
    assert report.totals["kg_by_flow"]["S:shipped"] == "-500.000000"
    with pytest.raises(BatchRejected) as info:
        world.capture(world.miner, ship_event("s2", 1, "10", world.separator, month=3))
    assert info.value.errors[0].code == ErrorCode.MONTH_CLOSED
    result = world.capture(
        world.miner,
        {
            "event_id": "c1",
            "kind": "correct",
            "event_time": at(3, 20),
            "corrects": "s1",
            "action": "replace",
            "reason": "weighbridge ticket",
            "replacement": {"mass": "450"},
        },
    )
    assert result.items[0].event.is_late is True
    current = month_totals(enterprise=world.miner, period=report.period)
    assert current["kg_by_flow"]["S:shipped"] == "-450.000000"
    as_closed = month_totals(enterprise=world.miner, period=report.period, as_of=report.closed_at)
    assert as_closed == report.totals


def test_other_months_stay_open(world):
    world.capture(world.miner, mine_event(1, month=3))
    close(world, world.miner)
    world.capture(world.miner, ship_event("s1", 1, "5", world.separator, month=4))


def test_current_month_cannot_be_closed_and_closing_twice_conflicts(world):
    from django.utils import timezone

    with pytest.raises(ReetraceError) as info:
        close(world, world.miner, timezone.now().strftime("%Y-%m"))
    assert info.value.code == ErrorCode.MONTH_NOT_CLOSABLE
    close(world, world.miner)
    with pytest.raises(ReetraceError) as info:
        close(world, world.miner)
    assert info.value.status == 409


def test_close_via_api_only_for_own_enterprise(world):
    world.capture(world.miner, mine_event(1, month=3))
    url = f"/api/v1/enterprises/{world.miner.identifier}/reports/{MARCH}/close"
    assert world.client(world.separator).post(url).status_code == 403
    response = world.client(world.miner).post(url)
    assert response.status_code == 201
    body = response.json()
    assert (body["period"], body["event_count"]) == (MARCH, 1)
    assert body["is_late"] is True  # closed in 2026 for March 2025
    assert Decimal(body["totals"]["kg_by_flow"]["S:origin"]) == Decimal("100000")
    listed = world.client("regulator").get(f"/api/v1/enterprises/{world.miner.identifier}/reports")
    assert [r["period"] for r in listed.json()] == [MARCH]
