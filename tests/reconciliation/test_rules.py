"""Properties of the decomposition (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.reconciliation.rules import (
    Cell,
    OurLine,
    Params,
    TheirLine,
    arrival_month,
    decompose,
    month_add,
)

PARAMS = Params(
    cif_uplift={"default": Decimal("1.05"), "US": Decimal("1.06")},
    gross_to_net={"default": Decimal("1.03"), "magnets": Decimal("1.04")},
    product_group={"850511": "magnets", "720299": "alloys"},
    classification=(("850511", ("720299",)),),
    transit_areas={"EU27": frozenset({"DE", "NL", "FR"})},
)
PRODUCTS = st.sampled_from(["850511", "720299", "280530"])
COUNTRIES = st.sampled_from(["DE", "NL", "FR", "US", "JP"])
MONTHS = st.sampled_from(["2025-01", "2025-02", "2025-03", "2025-04"])
KG = st.decimals(min_value=0, max_value=100000, places=3)
VALUE = st.decimals(min_value=0, max_value=10**7, places=2)


@st.composite
def our_lines(draw):
    month = draw(MONTHS)
    return OurLine(
        draw(PRODUCTS), draw(COUNTRIES), month, month_add(month, draw(st.integers(0, 2))),
        draw(KG), draw(VALUE), draw(st.sampled_from(["A", "B", "C"])),
    )  # fmt: skip


@st.composite
def their_lines(draw):
    return TheirLine(
        draw(PRODUCTS), draw(COUNTRIES), draw(MONTHS), draw(KG), draw(VALUE),
        draw(st.booleans()), draw(st.booleans()),
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(our_lines(), max_size=25), st.lists(their_lines(), max_size=25))
def test_parts_sum_exactly_to_the_gap(ours, theirs):
    for r in decompose(ours, theirs, PARAMS):
        assert sum(r.parts_kg.values()) == r.gap_kg
        assert sum(r.parts_value.values()) == r.gap_value


@settings(max_examples=200, deadline=None)
@given(st.lists(our_lines(), max_size=25), st.lists(their_lines(), max_size=25))
def test_moving_parts_cancel_out_across_cells(ours, theirs):
    """Timing, classification and transit move kg between cells; they create none."""
    results = decompose(ours, theirs, PARAMS)
    for part in ("timing", "classification", "transit"):
        assert sum(r.parts_kg[part] for r in results) == 0
        assert sum(r.parts_value[part] for r in results) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(our_lines(), min_size=1, max_size=25))
def test_a_mirror_reconciles_to_zero(ours):
    theirs = [
        TheirLine(o.product, o.country, o.month, o.kg, o.value, gross=False, cif=False)
        for o in ours
    ]
    for r in decompose(ours, theirs, PARAMS):
        assert r.gap_kg == 0 and r.gap_value == 0
        assert set(r.parts_kg.values()) == {0} and set(r.parts_value.values()) == {0}


@settings(max_examples=200, deadline=None)
@given(st.lists(our_lines(), min_size=1, max_size=20))
def test_goods_recorded_on_modelled_arrival_are_all_timing(ours):
    """A partner that records every shipment in its arrival month: no unexplained kg."""
    theirs = [
        TheirLine(o.product, o.country, o.arrival, o.kg, o.value, gross=False, cif=False)
        for o in ours
    ]
    for r in decompose(ours, theirs, PARAMS):
        assert r.parts_kg["unexplained"] == 0, r
        assert r.parts_kg["timing"] == r.gap_kg


def test_transit_moves_a_member_states_deficit_to_another():
    ours = [OurLine("850511", "DE", "2025-01", "2025-01", Decimal(100), Decimal(5000))]
    theirs = [TheirLine("850511", "NL", "2025-01", Decimal(100), Decimal(5000), cif=False)]
    results = {r.cell: r for r in decompose(ours, theirs, PARAMS)}
    assert results[Cell("850511", "DE", "2025-01")].parts_kg["transit"] == -100
    assert results[Cell("850511", "NL", "2025-01")].parts_kg["transit"] == 100
    assert results[Cell("850511", "NL", "2025-01")].parts_value["transit"] == 5000


def test_a_deficit_without_a_later_surplus_stays_unexplained():
    ours = [
        OurLine("850511", "DE", "2025-01", "2025-02", Decimal(100), Decimal(1)),
        OurLine("850511", "DE", "2025-02", "2025-03", Decimal(100), Decimal(1)),
    ]
    theirs = [
        TheirLine("850511", "DE", "2025-01", Decimal(60), Decimal(1), cif=False),
        TheirLine("850511", "DE", "2025-02", Decimal(100), Decimal(1), cif=False),
    ]
    results = {r.cell.month: r for r in decompose(ours, theirs, PARAMS)}
    assert results["2025-01"].parts_kg["unexplained"] == -40
    assert results["2025-02"].parts_kg["timing"] == 0


def test_units_and_valuation_are_definitional_conversions():
    ours = [OurLine("850511", "US", "2025-01", "2025-01", Decimal(100), Decimal(1000))]
    theirs = [TheirLine("850511", "US", "2025-01", Decimal(104), Decimal(1060), gross=True)]
    (r,) = decompose(ours, theirs, PARAMS)
    assert r.parts_kg["units"] == 4
    assert r.parts_value["valuation"] == 60
    assert r.parts_kg["unexplained"] == 0 and r.parts_value["unexplained"] == 0


def test_arrival_month_follows_the_lag():
    assert arrival_month("2025-01-25", 35) == "2025-03"
    assert arrival_month("2025-12-20", 5) == "2025-12"
    assert month_add("2025-12", 1) == "2026-01"
