"""The pure arithmetic of the rules, property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reetrace.compliance import rules

kg = st.floats(min_value=0.0, max_value=1e7, allow_nan=False)
share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
ELEMENTS = ["La", "Ce", "Pr", "Nd", "Dy", "Tb", "Y"]
profile = st.dictionaries(st.sampled_from(ELEMENTS), st.floats(0.01, 1e5), min_size=2)


def _summary(inputs, outputs):
    return rules.yield_summary(
        inputs, outputs, min_input_reo_kg=0.5, min_input_share=0.002, max_ratio=0.5
    )


@given(profile, st.floats(0.05, 1.0))
def test_a_uniform_yield_drops_nothing_and_is_the_yield(inputs, y):
    outputs = {el: v * y for el, v in inputs.items()}
    summary = _summary(inputs, outputs)
    assert summary.dropped == ()
    assert abs(summary.retained_yield - y) < 1e-9
    assert abs(summary.total_yield - y) < 1e-9


@given(profile, st.floats(0.5, 1.0), st.sampled_from(ELEMENTS))
def test_an_element_that_vanishes_is_dropped_and_the_rest_keeps_its_yield(inputs, y, gone):
    inputs = {**inputs, gone: max(inputs.get(gone, 0.0), 0.01 * sum(inputs.values()), 1.0)}
    outputs = {el: (0.0 if el == gone else v * y) for el, v in inputs.items()}
    summary = _summary(inputs, outputs)
    assert summary.dropped == (gone,)
    assert abs(summary.retained_yield - y) < 1e-9


@given(kg, st.floats(0.001, 1e7))
def test_quota_levels_are_ordered(used, quota):
    level = rules.quota_level(used, quota, warn_at=0.9, alert_at=1.0)
    assert level == ("overrun" if used > quota else "warning" if used >= 0.9 * quota else "ok")


def test_any_use_of_a_zero_quota_is_an_overrun():
    assert rules.quota_level(0.001, 0, warn_at=0.9, alert_at=1.0) == "overrun"
    assert rules.quota_level(0, 0, warn_at=0.9, alert_at=1.0) == "ok"


@given(st.floats(1.0, 1e7), st.floats(0.0, 0.99))
def test_shortfall_within_tolerance_is_zero(shipped, part):
    received = shipped * (1 - 0.005 * part)
    assert rules.shortfall(shipped, received, tolerance_share=0.005, min_kg=0.01) == 0.0


@given(st.floats(100.0, 1e7), st.floats(0.02, 1.0))
def test_shortfall_beyond_tolerance_is_the_missing_kg(shipped, part):
    received = shipped * (1 - part)
    assert rules.shortfall(shipped, received, tolerance_share=0.005, min_kg=0.01) == (
        shipped - received
    )


@given(kg, kg, kg)
def test_a_loss_is_large_when_material_and_large_against_throughput_or_holding(
    loss, throughput, held
):
    large = rules.loss_is_large(
        loss, throughput, max_share=0.02, min_loss_kg=1.0, held_kg=held, max_share_of_holding=0.05
    )
    assert large == (loss >= 1.0 and (loss > 0.02 * throughput or loss > 0.05 * held))


@given(profile)
def test_profile_shares_are_shares(composition):
    magnet, ore = rules.profile_shares(composition)
    assert 0 <= magnet <= 1 + 1e-9 and 0 <= ore <= 1 + 1e-9 and magnet + ore <= 1 + 1e-9


@given(st.floats(0.0, 1e4), st.floats(1.0, 1e4))
def test_price_is_low_below_the_fraction_of_value(price, value):
    assert rules.price_is_low(price, value, min_fraction=0.7, min_value=1.0) == (
        price < 0.7 * value
    )


def test_contained_value_uses_metal_prices():
    assert rules.contained_value({"Nd": 0.3, "Dy": 0.01}, {"Nd": 500.0, "Dy": 1800.0}) == (
        0.3 * 500 + 0.01 * 1800
    )
    assert abs(rules.oxide_to_metal_price("Nd", 400.0) - 400 * 1.1664) < 1e-9


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["low", "high"]))))
def test_risk_is_additive_and_unknown_rules_weigh_one(alerts):
    severity, rule = {"low": 1.0, "high": 9.0}, {"a": 2.0}
    score = rules.risk_score(alerts, severity_weights=severity, rule_weights=rule)
    assert score == sum(severity[s] * rule.get(r, 1.0) for r, s in alerts)
