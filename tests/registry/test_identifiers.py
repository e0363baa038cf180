"""Enterprise identifiers: the unified social credit code and foreign parties."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.registry.identifiers import (
    USCC_ALPHABET,
    country_validate,
    uscc_validate,
    uscc_with_check,
)
from reetrace.registry.services import enterprise_identifier

VALID = "91110000600037341L"  # computed by GB 32100-2015: check character L

PROPERTY = settings(max_examples=300, deadline=None, database=None)


def refused(raw: str, field: str = "uscc") -> ReetraceError:
    with pytest.raises(ReetraceError) as info:
        uscc_validate(raw, field=field)
    assert info.value.code == ErrorCode.IDENTIFIER_INVALID
    assert info.value.field == field
    assert info.value.status == 400
    return info.value


def test_valid_code_is_accepted():
    assert uscc_validate(VALID) == VALID
    assert uscc_with_check(VALID[:17]) == VALID


@pytest.mark.parametrize(
    "raw", ["91110000600037341l", " 9111 0000 6000 3734 1L ", "911100-00600037341L"]
)
def test_spaces_dashes_and_lower_case_are_normalised(raw):
    assert uscc_validate(raw) == VALID


def test_wrong_check_character_names_position_18_and_the_expected_character():
    error = refused(VALID[:17] + "M")
    assert "check character 18 is 'M'" in error.message
    assert "expected 'L'" in error.message


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [1, 2, 5, 10, 17, 18])
def test_excluded_letters_are_named_with_their_position(letter, position):
    raw = VALID[: position - 1] + letter + VALID[position:]
    error = refused(raw)
    assert f"character {position} is {letter!r}" in error.message
    assert "I, O, Z, S, V are excluded" in error.message


@pytest.mark.parametrize("raw", [VALID[:17], VALID + "0", "", "9111"])
def test_wrong_length_says_how_many_characters(raw):
    error = refused(raw)
    assert f"has {len(raw)} characters; 18 are required" in error.message


def test_division_code_must_be_digits():
    raw = uscc_with_check("91A10000600037341")
    error = refused(raw)
    assert "characters 3-8" in error.message


def test_the_error_names_the_field_it_was_given():
    assert refused("123", field="identifier").field == "identifier"


# -- properties ---------------------------------------------------------------------

stems = st.builds(
    lambda head, division, body: head + division + body,
    st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@PROPERTY
@given(stem=stems)
def test_every_stem_completed_with_its_check_character_is_valid(stem):
    code = uscc_with_check(stem)
    assert len(code) == 18
    assert uscc_validate(code) == code
    assert uscc_validate(code.lower()) == code


SUBSTITUTES = string.ascii_uppercase + string.digits + "-_ ./#"


@PROPERTY
@given(stem=stems, position=st.integers(0, 17), data=st.data())
def test_any_single_character_substitution_is_rejected(stem, position, data):
    """Weights are non-zero modulo the prime 31, so one changed character always shows."""
    code = uscc_with_check(stem)
    replacement = data.draw(st.sampled_from(SUBSTITUTES).filter(lambda c: c != code[position]))
    with pytest.raises(ReetraceError) as info:
        uscc_validate(code[:position] + replacement + code[position + 1 :])
    assert info.value.code == ErrorCode.IDENTIFIER_INVALID


@PROPERTY
@given(stem=stems, position=st.integers(0, 16))
def test_swapping_two_different_neighbours_is_rejected(stem, position):
    code = uscc_with_check(stem)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    with pytest.raises(ReetraceError):
        uscc_validate(swapped)


# -- countries and foreign parties ------------------------------------------------------


@pytest.mark.parametrize(("raw", "code"), [("DE", "DE"), ("de", "DE"), (" jp ", "JP")])
def test_country_codes_are_iso_alpha_2(raw, code):
    assert country_validate(raw) == code


@pytest.mark.parametrize("raw", ["XX", "DEU", "", "Germany", "D"])
def test_unknown_countries_are_refused_with_the_field(raw):
    with pytest.raises(ReetraceError) as info:
        country_validate(raw, field="destination")
    assert info.value.code == ErrorCode.COUNTRY_INVALID
    assert info.value.field == "destination"


def test_foreign_party_identifier_is_country_and_local_id():
    assert enterprise_identifier(country="de", identifier=None, foreign_id=" HRB 1 ") == "DE:HRB 1"
    assert enterprise_identifier(country="US", identifier="EIN-12", foreign_id=None) == "US:EIN-12"


def test_foreign_party_needs_a_local_id():
    with pytest.raises(ReetraceError) as info:
        enterprise_identifier(country="DE", identifier=None, foreign_id="  ")
    assert info.value.code == ErrorCode.IDENTIFIER_INVALID
    assert info.value.field == "foreign_id"


def test_chinese_party_needs_a_valid_uscc_even_with_a_foreign_id():
    assert enterprise_identifier(country="cn", identifier=VALID.lower(), foreign_id=None) == VALID
    with pytest.raises(ReetraceError) as info:
        enterprise_identifier(country="CN", identifier=None, foreign_id="HRB 1")
    assert info.value.field == "identifier"
