"""Incremental detection: a run judges only the months of events recorded since the
previous run of the rule; a second run over unchanged data judges and adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.compliance.models import Alert
from tests.compliance.helpers import ore_at_separator, run, separation

pytestmark = pytest.mark.django_db

RULES = ("yield_out_of_range", "report_missing")


def periods() -> list[date]:
    return sorted(Alert.objects.filter(rule="yield_out_of_range").values_list("period", flat=True))


def test_a_rerun_judges_only_the_months_of_new_events(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-jan", "20000", yield_="0.70"))
    first = run(world, *RULES)
    assert first.periods["yield_out_of_range"] == "all"
    assert periods() == [date(2025, 1, 1)]

    again = run(world, *RULES)
    assert again.periods["yield_out_of_range"] == []
    assert again.counts["yield_out_of_range"] == {"found": 0, "new": 0}
    assert again.periods["report_missing"] == "all"  # depends on the clock: always judged
    assert again.counts["report_missing"]["new"] == 0
    assert again.last_event_pk == first.last_event_pk

    # Forget January's alert (as if the rule had not seen it), then record a March run:
    # the incremental run judges March only, so January stays forgotten.
    Alert.objects.filter(rule="yield_out_of_range").delete()
    world.capture(
        world.separator, separation("sep-mar", "20000", yield_="0.70", month=3, out_lot=102)
    )
    third = run(world, *RULES)
    assert third.periods["yield_out_of_range"] == ["2025-03"]
    assert third.last_event_pk > first.last_event_pk
    assert periods() == [date(2025, 3, 1)]

    full = run(world, *RULES, full=True)
    assert full.periods["yield_out_of_range"] == "all"
    assert periods() == [date(2025, 1, 1), date(2025, 3, 1)]
    assert full.counts["yield_out_of_range"] == {"found": 2, "new": 1}


def test_a_run_over_a_wider_window_or_another_rule_starts_from_scratch(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-jan", "20000", yield_="0.70"))
    run(world, "yield_out_of_range", start=date(2025, 1, 1), end=date(2025, 1, 1))
    wider = run(world, "yield_out_of_range")
    assert wider.periods["yield_out_of_range"] == "all"
    other = run(world, "element_dropped")
    assert other.periods["element_dropped"] == "all"
    narrower = run(world, "yield_out_of_range", start=date(2025, 2, 1), end=date(2025, 6, 1))
    assert narrower.periods["yield_out_of_range"] == []


def test_quota_use_rejudges_the_rest_of_the_year(world):
    from tests.factories.world import mine_event

    world.capture(world.miner, mine_event(1))
    run(world, "quota_usage")
    world.capture(world.miner, mine_event(2, month=10))
    again = run(world, "quota_usage")
    assert again.periods["quota_usage"] == ["2025-10", "2025-11", "2025-12"]
