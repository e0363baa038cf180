"""The evasion families the generator injects (synth/evasion.py) are found by their
rules and scored by `reetrace evaluate`: every case found, no alert without one."""

from __future__ import annotations

import json

import pytest

from reetrace.compliance.config import rule_params
from reetrace.compliance.evaluation import FRAUD_RULES, score, stored_alerts
from reetrace.compliance.services.detection import detect
from reetrace.synth.config import honest_overrides, load_config
from reetrace.synth.dataset import produce
from reetrace.synth.fraud import EVASION_TYPES
from tests.compliance.helpers import when

pytestmark = pytest.mark.django_db

EVASION_RULES = [rule for kind in sorted(EVASION_TYPES) for rule in FRAUD_RULES[kind]]


def test_generator_and_rule_share_the_reporting_threshold():
    threshold = load_config("tiny")["evasion"]["split_threshold_kg"]
    assert threshold == rule_params("split_below_threshold")["threshold_kg"]


def test_every_evasion_case_is_found_and_every_alert_is_one(tmp_path):
    produce(scale="tiny", seed=11, out=tmp_path, load=True)
    truth = json.loads((tmp_path / "ground_truth.json").read_text("utf-8"))["cases"]
    assert {c["type"] for c in truth} >= EVASION_TYPES
    detect(rules=EVASION_RULES, as_of=when(12, 20, year=2026))
    scores = {s.fraud_type: s for s in score(truth, stored_alerts())}
    for kind in EVASION_TYPES:
        found = scores[kind]
        assert found.truth > 0, kind
        assert (found.precision, found.recall) == (1.0, 1.0), found.as_dict()


def test_an_honest_chain_raises_no_evasion_alert(tmp_path):
    produce(scale="tiny", seed=11, load=True, overrides=honest_overrides())
    detect(rules=EVASION_RULES, as_of=when(12, 20, year=2026))
    assert [a for a in stored_alerts() if a.rule in EVASION_RULES] == []
