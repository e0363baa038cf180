"""Stage shares (compliance/data/stage_shares.toml): dated like the reference prices,
per form, and per product where a mixed compound has quotes of its own."""

from __future__ import annotations

import tomllib
from datetime import date

from reetrace.compliance.price_book import STAGE_SHARES, stage_share


def test_the_ore_share_is_dated_by_quarter():
    assert stage_share("ore", date(2024, 6, 30)) == 0.36  # before the first row: the first
    assert stage_share("ore", date(2025, 1, 15)) == 0.36
    assert stage_share("ore", date(2025, 9, 30)) == 0.36
    assert stage_share("ore", date(2025, 10, 1)) == 0.40


def test_carbonate_and_mixed_oxide_have_shares_of_their_own():
    assert stage_share("mixed_compound", date(2025, 3, 1), "MIXED-CARBONATE") == 0.76
    assert stage_share("mixed_compound", date(2025, 7, 1), "MIXED-CARBONATE") == 0.81
    assert stage_share("mixed_compound", date(2025, 3, 1), "MIXED-OXIDE-MHREE") == 0.66
    assert stage_share("mixed_compound", date(2025, 7, 1), "MIXED-OXIDE-MHREE") == 0.69
    # another mixed compound takes the form's rows, the lowest mixed-compound quotes
    assert stage_share("mixed_compound", date(2025, 7, 1), "OTHER-MIXED") == 0.69


def test_forms_without_a_discount_are_worth_their_oxides():
    for form in ("oxide", "metal", "alloy", "sintered_ndfeb", "scrap"):
        assert stage_share(form, date(2025, 7, 1), "ANY") == 1.0


def test_every_dated_row_names_its_source():
    rows = tomllib.loads(STAGE_SHARES.read_text("utf-8"))["dated"]
    assert rows and all(isinstance(r["valid_from"], date) and r["source"] for r in rows)
