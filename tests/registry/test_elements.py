"""The element table against docs/facts.md section 6.1, and REO arithmetic."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.registry.elements import (
    ELEMENTS,
    ElementGroup,
    contained_metal_kg,
    contained_reo_kg,
    reo_factor,
)
from reetrace.registry.periodic import SYMBOLS, ceiling

# metal -> oxide factors as tabulated in docs/facts.md 6.1
FACTS = {
    "Nd": "1.1664",
    "Dy": "1.1477",
    "Tb": "1.1762",
    "Pr": "1.2082",
    "Ce": "1.2284",
    "Y": "1.2699",
    "Sc": "1.5338",
}
OXYGEN = Decimal("15.999")


def test_all_seventeen_rare_earths():
    assert len(ELEMENTS) == 17
    assert set(ELEMENTS) == {
        "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
        "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y",
    }  # fmt: skip


@pytest.mark.parametrize(("symbol", "factor"), sorted(FACTS.items()))
def test_factors_match_facts(symbol, factor):
    assert reo_factor(symbol) == Decimal(factor)
    assert ELEMENTS[symbol].metal_to_oxide == Decimal(factor)


@pytest.mark.parametrize("symbol", sorted(ELEMENTS))
def test_every_factor_follows_from_the_oxide_formula(symbol):
    """factor = M(oxide) / (n x M(metal)), to the four decimals tabulated."""
    element = ELEMENTS[symbol]
    match = re.fullmatch(rf"{symbol}(\d*)O(\d*)", element.oxide)
    assert match, element.oxide
    n, m = int(match.group(1) or 1), int(match.group(2) or 1)
    computed = (n * element.atomic_weight + m * OXYGEN) / (n * element.atomic_weight)
    assert abs(computed - element.metal_to_oxide) <= Decimal("0.0001"), (symbol, computed)
    assert element.oxide_to_metal == (1 / element.metal_to_oxide).quantize(Decimal("0.0001"))


def test_light_and_medium_heavy_split():
    light = {s for s, e in ELEMENTS.items() if e.group == ElementGroup.LIGHT}
    assert light == {"La", "Ce", "Pr", "Nd", "Pm"}


def test_contained_reo_kg_of_a_magnet_lot():
    composition = {"Nd": Decimal("0.235"), "Pr": Decimal("0.07"), "Dy": Decimal("0.01")}
    reo = contained_reo_kg(Decimal("1000"), composition)
    assert reo == {
        "Nd": Decimal("274.104000"),  # 235 kg Nd x 1.1664
        "Pr": Decimal("84.574000"),  # 70 kg Pr x 1.2082
        "Dy": Decimal("11.477000"),  # 10 kg Dy x 1.1477
    }
    assert contained_metal_kg(Decimal("1000"), composition) == {
        "Nd": Decimal("235.000000"),
        "Pr": Decimal("70.000000"),
        "Dy": Decimal("10.000000"),
    }


def test_contained_reo_kg_rounds_to_the_milligram():
    reo = contained_reo_kg(Decimal("0.333333"), {"Sc": Decimal("0.5")})
    assert reo["Sc"] == Decimal("0.255633")  # 0.1666665 x 1.5338 = 0.25563308...
    assert reo["Sc"].as_tuple().exponent == -6


@settings(max_examples=200, deadline=None, database=None)
@given(
    kg=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e7"), places=3),
    symbol=st.sampled_from(sorted(ELEMENTS)),
    fraction=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4),
)
def test_reo_is_metal_times_factor(kg, symbol, fraction):
    reo = contained_reo_kg(kg, {symbol: fraction})[symbol]
    metal = contained_metal_kg(kg, {symbol: fraction})[symbol]
    assert reo >= metal
    assert abs(reo - kg * fraction * reo_factor(symbol)) <= Decimal("0.0000005")


def test_elements_api_lists_the_table(world):
    rows = world.client("partner").get("/api/v1/elements").json()
    by_symbol = {r["symbol"]: r for r in rows}
    assert len(rows) == 17
    for symbol, factor in FACTS.items():
        assert Decimal(by_symbol[symbol]["metal_to_oxide"]) == Decimal(factor)
    assert by_symbol["Nd"]["oxide"] == "Nd2O3"
    assert by_symbol["Dy"]["group"] == "medium_heavy"
    assert Decimal(by_symbol["Nd"]["oxide_to_metal"]) == Decimal("0.8573")


def test_oxide_ceilings_from_the_library_agree_with_the_facts_factors():
    """The stoichiometric ceilings are computed from periodictable's atomic weights;
    each is the inverse of docs/facts.md 6.1's metal-to-oxide factor (4 decimals)."""
    for symbol, element in ELEMENTS.items():
        assert abs(ceiling("oxide", symbol) * element.metal_to_oxide - 1) < Decimal("0.0001")
    assert ceiling("oxide", "Dy") == Decimal("0.871321")
    assert ceiling("carbonate", "La") == Decimal("0.606793")  # La2(CO3)3
    assert ceiling("chloride", "Dy") == Decimal("0.604426")  # DyCl3
    assert {"Co", "Fe", "B", "Nd"} <= SYMBOLS and "Xx" not in SYMBOLS and len(SYMBOLS) == 118
