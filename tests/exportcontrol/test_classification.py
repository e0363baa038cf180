"""Classification on both sides of every threshold and date boundary (pure, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reetrace.exportcontrol.classification import classify
from reetrace.exportcontrol.control_list import control_list

D = Decimal
LISTING = control_list()


def test_dy_magnet_needs_a_licence_with_the_reason():
    result = classify(
        "sintered_ndfeb", {"Nd": D("0.29"), "Dy": D("0.021")}, "8505111000", date(2025, 6, 1)
    )
    assert result.licence_required
    assert result.codes == ["1C905.x"]
    assert result.matches[0].reason == (
        "sintered NdFeB, Dy 2.10 wt% >= 0.10 wt% threshold (threshold UNCONFIRMED) -> "
        "1C905.x, Announcement 2025 No. 18, in force"
    )


def test_magnet_without_dy_or_tb_is_not_controlled_whatever_its_customs_code():
    result = classify("sintered_ndfeb", {"Nd": D("0.31")}, "8505111000", date(2025, 6, 1))
    assert not result.licence_required
    assert result.matches == [] and result.suspended_matches == []
    assert "the code alone does not decide" in result.notes[0]


@pytest.mark.parametrize(
    ("entry_code", "form"),
    [(e.code, sorted(e.forms)[0]) for _, e in LISTING.entries()],
)
def test_every_entry_on_both_sides_of_its_threshold(entry_code, form):
    entry = LISTING.entry(entry_code)
    element = entry.elements[0]
    on = date(2027, 1, 1) if entry.announcement == "2025 No. 57" else date(2025, 6, 1)
    at_threshold = classify(form, {element: entry.threshold_fraction}, None, on)
    below = classify(form, {element: entry.threshold_fraction - D("0.000000001")}, None, on)
    assert entry_code in at_threshold.codes
    assert entry_code not in below.codes


def test_announcement_18_starts_on_4_april_2025():
    dy_oxide = {"Dy": D("0.87")}
    assert not classify("oxide", dy_oxide, None, date(2025, 4, 3)).licence_required
    assert classify("oxide", dy_oxide, None, date(2025, 4, 4)).codes == ["1C905.b"]


@pytest.mark.parametrize(
    ("on", "required", "suspended"),
    [
        (date(2025, 11, 7), False, False),  # No. 57 not yet effective
        (date(2025, 11, 8), False, True),  # effective, but suspended by No. 70
        (date(2025, 11, 9), False, True),
        (date(2025, 11, 20), False, True),
        (date(2026, 11, 10), False, True),  # last suspended day (until_inclusive)
        (date(2026, 11, 11), True, False),  # suspension over
    ],
)
def test_holmium_oxide_across_no_57_and_its_suspension(on, required, suspended):
    result = classify("oxide", {"Ho": D("0.87")}, "2846901999", on)
    assert result.licence_required is required
    assert bool(result.suspended_matches) is suspended
    if suspended:
        assert "suspended by Announcement 2025 No. 70 until 2026-11-10" in (
            result.suspended_matches[0].reason
        )


def test_forms_outside_the_list_are_not_controlled():
    result = classify("ore", {"Dy": D("0.5")}, None, date(2025, 6, 1))
    assert not result.licence_required
    assert "not a form named by the control list" in result.notes[0]


def test_a_declared_code_that_is_not_a_reference_code_is_noted():
    result = classify("oxide", {"Dy": D("0.87")}, "2846901999", date(2025, 6, 1))
    assert result.licence_required
    assert "is not a reference code of 1C905.b" in result.notes[0]


def test_tb_and_dy_magnet_matches_two_entries():
    result = classify(
        "bonded_ndfeb",
        {"Nd": D("0.28"), "Tb": D("0.005"), "Dy": D("0.01")},
        None,
        date(2025, 6, 1),
    )
    assert result.codes == ["1C904.x", "1C905.x"]


def test_samarium_cobalt_magnet_is_1c902a():
    result = classify("smco", {"Sm": D("0.25")}, "8505111000", date(2025, 6, 1))
    assert result.codes == ["1C902.a"]
