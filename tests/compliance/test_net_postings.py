"""Analytics count net postings: a voided event and its reversal cancel, a
replacement's postings count (issue: `live_postings` dropped replacements)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from reetrace.compliance.checks.base import Window
from reetrace.compliance.checks.ledger import (
    live_postings,
    lot_reo,
    monthly_inflows,
    transformation_balances,
)
from reetrace.ledger.models import Lot
from tests.compliance.helpers import ore_at_separator, run, separation, when
from tests.factories.world import at

pytestmark = pytest.mark.django_db

JANUARY = date(2025, 1, 1)


def window() -> Window:
    return Window(None, None, when(12, 20))


def correct(event_id: str, target: str, action: str, replacement: dict | None = None) -> dict:
    item = {
        "event_id": event_id,
        "kind": "correct",
        "event_time": at(1, 8),
        "corrects": target,
        "action": action,
        "reason": "typed wrong",
    }
    if replacement is not None:
        item["replacement"] = replacement
    return item


def reo_per_kg() -> float:
    lot = Lot.objects.get(origin__isnull=False)
    return sum(lot_reo({lot.pk})[lot.pk].values())


def test_replaced_receipt_counts_with_its_replacement_mass(world):
    ore_at_separator(world)
    world.capture(world.separator, correct("fix-r1", "r1", "replace", {"mass": "39000"}))
    inflow = monthly_inflows(window())[(world.separator.pk, JANUARY)]
    assert inflow == pytest.approx(39000 * reo_per_kg(), rel=1e-9)
    received = live_postings(window()).filter(holder=world.separator, flow="received")
    by_event = received.values("net_event").annotate(kg=Sum("kg")).order_by()
    assert [row["kg"] for row in by_event] == [39000], "original + reversal + replacement"


def test_voided_receipt_and_its_reversal_cancel(world):
    ore_at_separator(world)
    world.capture(world.separator, correct("void-r1", "r1", "void"))
    assert monthly_inflows(window()).get((world.separator.pk, JANUARY), 0.0) == pytest.approx(
        0.0, abs=1e-6
    )


def test_voided_low_yield_run_leaves_no_run_and_no_alert(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    assert len(transformation_balances(window())) == 1
    world.capture(world.separator, correct("void-sep", "sep-low", "void"))
    assert transformation_balances(window()) == {}
    run(world, "yield_out_of_range", "quota_usage")
    assert not world.separator.alerts.exclude(severity="info").exists()
