"""The scenario library (tests/scenarios/library): each scenario built through the
public API, its fraud twin raising the expected alert and its honest twin none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from reetrace.compliance.scenarios import build_and_detect, load_scenarios

LIBRARY = Path(__file__).parent / "library"
SCENARIOS = load_scenarios(LIBRARY)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fraud_twin_raises_the_expected_alert(scenario):
    expect = scenario.spec["expect"]
    alerts = build_and_detect(scenario, "fraud").alerts
    hits = [
        a
        for a in alerts
        if (a.rule, a.enterprise, a.period)
        == (expect["rule"], expect["enterprise"], expect["period"])
    ]
    assert hits, alerts
    assert set(expect["lots"]) <= set().union(*(a.lots for a in hits))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_honest_twin_raises_no_alert(scenario):
    assert build_and_detect(scenario, "honest").alerts == []


def test_twins_leave_the_database_as_it_was():
    from reetrace.ledger.models import Event

    build_and_detect(SCENARIOS[0], "fraud")
    assert not Event.objects.exists()


def test_evaluate_scores_the_library(capsys):
    call_command("evaluate", scenarios=LIBRARY, json=True)
    result = json.loads(capsys.readouterr().out)
    assert result["honest_twin_alerts"] == []
    scored = {row["fraud_type"]: row for row in result["scores"] if row["truth"]}
    assert set(scored) == {s.fraud_type for s in SCENARIOS}
    assert all(row["precision"] == row["recall"] == 1.0 for row in scored.values()), scored


def test_evaluate_needs_one_source(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="one of --truth FILE or --scenarios DIR"):
        call_command("evaluate")
    with pytest.raises(CommandError, match="no scenario files"):
        call_command("evaluate", scenarios=tmp_path)


def test_a_step_citing_an_application_never_filed_is_named(tmp_path):
    from reetrace.compliance.scenarios import ScenarioError

    spec = json.loads((LIBRARY / "hs_misdeclared.json").read_text("utf-8"))
    spec["fraud"] = [step for step in spec["fraud"] if "application" not in step]
    (tmp_path / "cites_nothing.json").write_text(json.dumps(spec), "utf-8")
    (scenario,) = load_scenarios(tmp_path)
    with pytest.raises(ScenarioError, match=r"\(fraud\) step 1: \{licence:A1\} names no earlier"):
        build_and_detect(scenario, "fraud")


def test_the_library_is_not_judged_beside_a_loaded_ledger(world):
    from reetrace.compliance.scenarios import ScenarioError
    from tests.factories.world import mine_event

    world.capture(world.miner, mine_event(1))
    with pytest.raises(ScenarioError, match="the database already holds 1 event"):
        build_and_detect(SCENARIOS[0], "fraud")


@pytest.mark.parametrize(
    "step, message",
    [
        ({"events": []}, r"step 0: a step names who acts \('as'\) or loads 'customs'"),
        (
            {"as": "91150200MNR0000013", "close": "2025-01", "at": "5 February"},
            r"step 0: 'at' '5 February' is not an ISO time with a UTC offset",
        ),
    ],
)
def test_a_step_that_cannot_be_performed_is_named(tmp_path, step, message):
    from reetrace.compliance.scenarios import ScenarioError

    spec = json.loads((LIBRARY / "late_report.json").read_text("utf-8"))
    spec["fraud"] = [step]
    (tmp_path / "broken.json").write_text(json.dumps(spec), "utf-8")
    (scenario,) = load_scenarios(tmp_path)
    with pytest.raises(ScenarioError, match=message):
        build_and_detect(scenario, "fraud")
