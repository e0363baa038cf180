"""A detection run saves its progress rule by rule, so a poller sees it move."""

from __future__ import annotations

import pytest

from reetrace.compliance.choices import RunStatus
from reetrace.compliance.models import DetectionRun
from reetrace.compliance.services.detection import detect
from tests.compliance.helpers import ore_at_separator, separation, when

pytestmark = pytest.mark.django_db

RULES = ["quota_usage", "yield_out_of_range", "element_dropped", "mass_balance"]


def test_the_run_row_shows_each_finished_rule_while_the_run_goes_on(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    seen = []

    def poll(name: str, index: int, total: int) -> None:
        """Called before each rule: read the row as another process would."""
        row = DetectionRun.objects.order_by("-pk").first()
        new = sum(c["new"] for c in row.counts.values())
        seen.append((name, row.status, set(row.counts), new, total))

    run = detect(rules=RULES, as_of=when(12, 20), progress=poll)
    assert [s[0] for s in seen] == RULES
    assert all(status == RunStatus.RUNNING for _, status, *_ in seen)
    assert [done for _, _, done, _, _ in seen] == [set(RULES[:n]) for n in range(len(RULES))]
    # the low-yield run is found by the second rule: alerts so far move with it
    assert seen[1][3] == 0 and seen[2][3] >= 1
    assert run.status == RunStatus.DONE and set(run.counts) == set(RULES)
    assert "yield_out_of_range: 1 found, 1 new" in DetectionRun.objects.get(pk=run.pk).log


def test_the_portal_progress_bar_moves_rule_by_rule(world):
    from reetrace.portal.views.alerts import _progress

    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    progress = []
    detect(
        rules=["yield_out_of_range", "quota_usage"],
        as_of=when(12, 20),
        progress=lambda *_: progress.append(_progress(DetectionRun.objects.order_by("-pk")[0])),
    )
    assert [(p["done"], p["total"], p["finished"]) for p in progress] == [
        (0, 2, False),
        (1, 2, False),
    ]
