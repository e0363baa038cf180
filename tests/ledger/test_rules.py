"""Pure rules: mass parsing, compositions, conservation and attribution, lot codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.ledger.codes import BODY_ALPHABET, lot_code_from_number, lot_code_validate
from reetrace.ledger.rules import (
    Portion,
    attribution_links,
    composition_parse,
    conservation_check,
    report_deadline,
)
from reetrace.registry.elements import ELEMENTS


@pytest.mark.parametrize(
    ("raw", "kg"),
    [(12.5, "12.5"), ("12.5", "12.5"), ("0.3 t", "300"), ("300 g", "0.3"), ("7 KG", "7")],
)
def test_masses_in_kg_t_and_g(raw, kg):
    assert parse_mass(raw) == Decimal(kg)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("5 lb", ErrorCode.UNKNOWN_UNIT),
        ("five", ErrorCode.INVALID),
        ("1.0000001", ErrorCode.INVALID),
    ],
)
def test_bad_masses_are_refused(raw, code):
    with pytest.raises(ReetraceError) as info:
        parse_mass(raw, field="lot.mass")
    assert (info.value.code, info.value.field) == (code, "lot.mass")


def test_composition_rules():
    assert composition_parse({"Nd": "0.25", "Dy": 0, "Pr": "0.08"}) == {
        "Nd": Decimal("0.25"),
        "Pr": Decimal("0.08"),
    }
    for bad, field in [
        ({"Xx": "0.1"}, "composition.Xx"),
        ({"Nd": "1.2"}, "composition.Nd"),
        ({"Nd": "0.6", "Pr": "0.5"}, "composition"),
    ]:
        with pytest.raises(ReetraceError) as info:
            composition_parse(bad)
        assert (info.value.code, info.value.field) == (ErrorCode.COMPOSITION_INVALID, field)


fractions = st.decimals(min_value=0, max_value=Decimal("0.3"), places=6)
masses = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
compositions = st.fixed_dictionaries({"Nd": fractions, "Pr": fractions, "Dy": fractions})
portions = st.builds(Portion, masses, compositions)


@given(st.lists(portions, min_size=1, max_size=5), st.lists(masses, min_size=1, max_size=4))
def test_attribution_gives_each_output_exactly_its_content(inputs, out_masses):
    """Whatever the blend, the edges into an output add up to what the output contains."""
    total = sum(p.kg for p in inputs)
    outputs = []
    for kg in out_masses:  # outputs carry at most the inputs' average share of each element
        comp = {el: sum(p.metal_kg(el) for p in inputs) / total / len(out_masses) for el in ("Nd",)}
        outputs.append(Portion(kg, {el: v.quantize(Decimal("1e-9")) for el, v in comp.items()}))
    for out, edges in zip(outputs, attribution_links(inputs, outputs), strict=True):
        assert abs(sum(kg for kg, _ in edges) - out.kg) <= Decimal("0.00001") * len(edges)
        if out.metal_kg("Nd") and any(p.composition["Nd"] for p in inputs):
            attributed = sum(reo.get("Nd", Decimal(0)) for _, reo in edges)
            expected = out.metal_kg("Nd") * ELEMENTS["Nd"].metal_to_oxide
            assert abs(attributed - expected) <= Decimal("0.00001") * len(edges)


@given(
    st.lists(portions, min_size=1, max_size=4),
    st.decimals(min_value=Decimal("1.01"), max_value=Decimal(3), places=2),
)
def test_conservation_refuses_any_gain(inputs, gain):
    nd = sum(p.metal_kg("Nd") for p in inputs)
    if nd * (gain - 1) * ELEMENTS["Nd"].metal_to_oxide <= Decimal("0.001"):
        return
    with pytest.raises(ReetraceError) as info:
        conservation_check(inputs, [Portion(nd * gain, {"Nd": Decimal(1)})])
    assert info.value.code == ErrorCode.CONSERVATION_VIOLATED
    conservation_check(inputs, [Portion(nd, {"Nd": Decimal(1)})])


@given(
    st.integers(min_value=0, max_value=10**15),
    st.integers(min_value=2, max_value=13),
    st.sampled_from(BODY_ALPHABET),
)
def test_any_single_substitution_in_a_lot_code_is_caught(number, position, replacement):
    code = lot_code_from_number(number)
    assert lot_code_validate(code) == code
    if code[position] == replacement:
        return
    typo = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ReetraceError) as info:
        lot_code_validate(typo)
    assert info.value.code == ErrorCode.LOT_CODE_INVALID


def test_report_deadline_is_the_tenth_of_next_month():
    from datetime import date

    assert report_deadline(date(2025, 3, 1), 10) == date(2025, 4, 10)
    assert report_deadline(date(2025, 12, 1), 10) == date(2026, 1, 10)
