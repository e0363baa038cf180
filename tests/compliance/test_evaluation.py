"""Scoring alerts against a hand-made ground truth, and the evaluate command."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command

from reetrace.compliance.evaluation import AlertRef, matches, score, unexplained
from reetrace.compliance.models import Alert

TRUTH = [
    {"type": "hidden_sales_loss", "enterprise": "E1", "period": "2025-03", "lots": ["L1", "L2"]},
    {"type": "hidden_sales_loss", "enterprise": "E2", "period": "2025-04", "lots": ["L9"]},
    {"type": "quota_overrun", "enterprise": "E1", "period": "2025", "lots": ["L5"]},
    {"type": "missing_report", "enterprise": "E3", "period": "2025-05", "lots": []},
]


def ref(rule, enterprise, period, *lots):
    return AlertRef(rule, enterprise, period, frozenset(lots))


def test_matching_needs_enterprise_period_and_a_shared_lot():
    record = TRUTH[0]
    assert matches(ref("yield_out_of_range", "E1", "2025-03", "L2", "L7"), record)
    assert not matches(ref("yield_out_of_range", "E1", "2025-03", "L7"), record)
    assert not matches(ref("yield_out_of_range", "E1", "2025-04", "L1"), record)
    assert not matches(ref("yield_out_of_range", "E2", "2025-03", "L1"), record)
    # a year in the truth (quota) matches any month of it; no lots in the truth: any lots
    assert matches(ref("quota_usage", "E1", "2025-11", "L5"), TRUTH[2])
    assert matches(ref("report_missing", "E3", "2025-05"), TRUTH[3])


def test_precision_and_recall_per_fraud_type():
    alerts = [
        ref("yield_out_of_range", "E1", "2025-03", "L1"),
        ref("yield_out_of_range", "E1", "2025-03", "L2"),  # same record, second alert
        ref("yield_out_of_range", "E4", "2025-03", "L1"),  # false alarm
        ref("report_missing", "E3", "2025-05"),
    ]
    scores = {s.fraud_type: s for s in score(TRUTH, alerts)}
    loss = scores["hidden_sales_loss"]
    assert (loss.truth, loss.alerts, loss.matched_alerts, loss.found) == (2, 3, 2, 1)
    assert loss.precision == pytest.approx(2 / 3) and loss.recall == 0.5
    assert scores["quota_overrun"].recall == 0.0 and scores["quota_overrun"].precision is None
    assert scores["missing_report"].precision == scores["missing_report"].recall == 1.0
    assert scores["transshipment"].rules == ("transshipment",)
    assert scores["licence_mismatch"].rules == ("licence_mismatch",)
    assert scores["transshipment"].recall is None and scores["transshipment"].precision is None


def test_alerts_matching_no_record_are_counted_per_rule():
    alerts = [
        ref("yield_out_of_range", "E1", "2025-03", "L1"),  # matches its record
        ref("yield_out_of_range", "E4", "2025-03", "L1"),  # false alarm
        ref("report_missing", "E1", "2025-03", "L1"),  # E1's record is another type's
        ref("volume_drop", "E1", "2025-03"),  # a rule without a fraud type
        ref("volume_drop", "E2", "2025-07"),
    ]
    assert unexplained(TRUTH, alerts) == {
        "report_missing": 1,
        "volume_drop": 2,
        "yield_out_of_range": 1,
    }
    assert unexplained([], alerts[:1]) == {"yield_out_of_range": 1}


@pytest.mark.django_db
def test_evaluate_command_reads_the_truth_and_ignores_notices(world, tmp_path, capsys):
    Alert.objects.create(
        rule="report_missing",
        severity="medium",
        enterprise=world.miner,
        period=date(2025, 5, 1),
        explanation="x",
        fingerprint="a",
    )
    Alert.objects.create(
        rule="quota_usage",
        severity="info",
        enterprise=world.miner,
        period=date(2025, 5, 1),
        explanation="notice",
        fingerprint="b",
    )
    truth = tmp_path / "ground_truth.json"
    cases = [{"type": "missing_report", "enterprise": world.miner.identifier, "period": "2025-05"}]
    truth.write_text(json.dumps({"cases": cases}))
    call_command("evaluate", truth=truth, json=True)
    rows = {r["fraud_type"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["missing_report"]["precision"] == 1.0 and rows["missing_report"]["recall"] == 1.0
    assert rows["quota_overrun"]["alerts"] == 0
    call_command("evaluate", truth=truth)
    assert "matching no truth record: 0" in capsys.readouterr().out
