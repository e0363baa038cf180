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


def test_evaluate_answers_the_generator_and_the_library_apart(tmp_path, capsys):
    truth = tmp_path / "ground_truth.json"
    case = {"type": "split_sale", "enterprise": "91310115TRD000003D", "period": "2025-01"}
    truth.write_text(json.dumps({"cases": [case]}), "utf-8")
    library = tmp_path / "library"
    library.mkdir()
    (library / "split_sale.json").write_text((LIBRARY / "split_sale.json").read_text("utf-8"))
    call_command("evaluate", truth=truth, scenarios=library, json=True)
    result = json.loads(capsys.readouterr().out)
    generator = {row["fraud_type"]: row for row in result["generator"]}
    scenarios = {row["fraud_type"]: row for row in result["scenarios"]["scores"]}
    assert (generator["split_sale"]["truth"], generator["split_sale"]["recall"]) == (1, 0.0)
    assert (scenarios["split_sale"]["truth"], scenarios["split_sale"]["recall"]) == (1, 1.0)
    assert result["scenarios"]["honest_twin_alerts"] == []
    call_command("evaluate", truth=truth, scenarios=library)
    out = capsys.readouterr().out
    assert "generator: alerts against" in out and "scenario library:" in out
