"""Measured quality: a ledger with known exports, partner files with known causes,
and the decomposition must recover each cause within 2% of its kg."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.reconciliation.models import ExchangeRate
from reetrace.reconciliation.rules import PARTS
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from tests.reconciliation.helpers import (
    GROSS,
    LAGGED,
    MISCLASSIFIED,
    PRICE,
    SCENARIO,
    SHORT,
    TRANSIT,
    UPLIFT,
    comext_csv,
    comtrade_csv,
    export_magnets,
    injected_rows,
    load,
    mirror_rows,
)


def report(dataset, **scope):
    return comparison_report(dataset=dataset, actor=None, scope=Scope(**scope))


def cells_by_key(result) -> dict:
    return {(c["product"], c["country"], c["month"]): c for c in result["cells"]}


def close(actual: Decimal, expected: Decimal, of: Decimal) -> bool:
    """Within 2% of the cause's kg (or value)."""
    return abs(actual - expected) <= abs(of) * Decimal("0.02")


@pytest.fixture
def scenario(world):
    export_magnets(world, SCENARIO)
    return world


def assert_parts_sum_to_gap(result) -> None:
    for c in result["cells"]:
        assert sum(c["parts_kg"].values()) == c["gap_kg"], c
        assert sum(c["parts_value"].values()) == c["gap_value"], c
        if c["ours_value"]:
            expected = (c["gap_value"] * 100 / c["ours_value"]).quantize(Decimal("0.1"))
            assert c["gap_value_pct"] == expected, c


def test_each_injected_cause_is_recovered(scenario):
    result = report(load(comtrade_csv(injected_rows())), start=_m(1), end=_m(2))
    cells = cells_by_key(result)
    assert_parts_sum_to_gap(result)
    de_jan, de_feb = cells[("850511", "DE", "2025-01")], cells[("850511", "DE", "2025-02")]
    lag = Decimal(LAGGED.kg)
    assert close(de_jan["parts_kg"]["timing"], -lag, lag)
    assert close(de_feb["parts_kg"]["timing"], lag, lag)
    moved = Decimal(TRANSIT.kg)
    assert close(de_jan["parts_kg"]["transit"], -moved, moved)
    assert close(cells[("850511", "NL", "2025-01")]["parts_kg"]["transit"], moved, moved)
    alloy = Decimal(MISCLASSIFIED.kg)
    assert close(de_jan["parts_kg"]["classification"], -alloy, alloy)
    assert close(cells[("720299", "DE", "2025-01")]["parts_kg"]["classification"], alloy, alloy)
    jp = cells[("850511", "JP", "2025-02")]
    assert close(jp["parts_kg"]["units"], Decimal(20), Decimal(GROSS.kg) * Decimal("0.04"))
    us = cells[("850511", "US", "2025-02")]
    assert close(us["parts_kg"]["unexplained"], Decimal(-150), Decimal(150))
    for key, cell in cells.items():
        if key[1] != "US":
            assert abs(cell["parts_kg"]["unexplained"]) <= Decimal("0.01"), key


def test_valuation_recovers_the_cif_uplift(scenario):
    result = report(load(comtrade_csv(injected_rows())), start=_m(1), end=_m(2))
    expected = sum(
        (s.fob * (UPLIFT[s.destination] - 1) for s in SCENARIO if s is not SHORT), Decimal(0)
    ) + PRICE * 450 * (UPLIFT["US"] - 1)
    assert close(result["totals"]["parts_value"]["valuation"], expected, expected)
    us = cells_by_key(result)[("850511", "US", "2025-02")]
    assert close(us["parts_value"]["unexplained"], -150 * PRICE, 150 * PRICE)


def test_a_mirror_dataset_reconciles_to_zero(scenario):
    result = report(load(comtrade_csv(mirror_rows())))
    assert result["cells"]
    for cell in result["cells"]:
        assert cell["gap_kg"] == 0 and cell["gap_value"] == 0, cell
        assert set(cell["parts_kg"].values()) == {0}, cell
        assert set(cell["parts_value"].values()) == {0}, cell


def test_comext_values_in_euros_are_converted_with_the_rate_table(scenario):
    eur = {
        m: ExchangeRate.objects.get(month=f"2025-{m:02d}-01", currency="EUR").units_per_usd
        for m in (1, 2)
    }
    rows = [r for r in injected_rows() if not r["gross"]]
    result = report(load(comext_csv(rows, eur), "comext"), start=_m(1), end=_m(2))
    assert_parts_sum_to_gap(result)
    cells = cells_by_key(result)
    assert close(cells[("850511", "DE", "2025-02")]["parts_kg"]["timing"], Decimal(400), 400)
    de_jan = cells[("850511", "DE", "2025-01")]
    fob = Decimal(1000) * PRICE
    assert close(de_jan["theirs_value"] - de_jan["parts_value"]["valuation"], fob, fob)
    assert result["notes"]["approximate_rates_used"] == ["2025-01 EUR", "2025-02 EUR"]


def test_eu27_level_absorbs_transit(scenario):
    result = report(load(comtrade_csv(injected_rows())), level="eu27", start=_m(1), end=_m(2))
    cells = cells_by_key(result)
    eu_jan = cells[("850511", "EU27", "2025-01")]
    assert eu_jan["parts_kg"]["transit"] == 0
    assert abs(eu_jan["parts_kg"]["unexplained"]) <= Decimal("0.01")
    assert ("850511", "DE", "2025-01") not in cells


def test_product_groups_move_misclassified_alloys(scenario):
    result = report(load(comtrade_csv(injected_rows())), by="group", start=_m(1), end=_m(1))
    cells = cells_by_key(result)
    alloys = cells[("magnet_alloys", "DE", "2025-01")]
    assert alloys["parts_kg"]["classification"] == MISCLASSIFIED.kg
    assert alloys["product_label"] == "magnet alloys possibly misclassified"
    assert cells[("permanent_magnets", "DE", "2025-01")]["parts_kg"]["classification"] == -200


def test_every_parameter_is_in_the_report(scenario):
    result = comparison_report(
        dataset=load(comtrade_csv(injected_rows())),
        actor=None,
        scope=Scope(),
        overrides=["timing.lag_days.DE=40"],
    )
    params = result["parameters"]
    assert params["timing"]["lag_days"]["DE"] == 40
    assert params["valuation"]["cif_uplift"]["US"] == 1.06
    assert params["units"]["gross_to_net"]["permanent_magnets"] == 1.04
    assert params["classification"]["hs6"][0]["to"] == ["720299", "382499"]
    assert params["transit"]["areas"] == ["EU27"]
    assert result["parts"] == list(PARTS)


def test_the_window_limits_the_cells_not_the_causes(scenario):
    """February alone still sees January's lagged goods arriving."""
    result = report(load(comtrade_csv(injected_rows())), start=_m(2), end=_m(2))
    assert {c["month"] for c in result["cells"]} == {"2025-02"}
    de_feb = cells_by_key(result)[("850511", "DE", "2025-02")]
    assert de_feb["parts_kg"]["timing"] == LAGGED.kg


def _m(month: int):
    from datetime import date

    return date(2025, month, 1)
