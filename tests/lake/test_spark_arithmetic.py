"""Spark's integer arithmetic at the edge: masses and fractions whose products pass 64 bits.

`SparkSource` takes kg (mg) x fraction (ppb) as two 64-bit parts rather than in
Java's BigDecimal (lake/spark/source.py). The synthetic years hold no lot big
enough to carry a product past 2^63, so these postings are made for it: lots of
thousands of tonnes at fractions near one, positive and negative, several in one
group, checked against Python's exact integers.
"""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.compliance.checks.base import Window
from reetrace.ledger.choices import Bucket, EventKind, Flow
from reetrace.ledger.monthly import metal_ug

pytestmark = pytest.mark.xdist_group("spark")

MONTH = date(2026, 1, 1)
# (event, lot, holder, flow, kg in mg): a 9,000 t lot in and out, negatives, odd masses
POSTINGS = [
    (1, 10, 7, Flow.ORIGIN, 9_000_000_000_000),
    (2, 10, 7, Flow.SHIPPED, -4_999_999_999_999),
    (3, 11, 7, Flow.ORIGIN, 8_765_432_109_877),
    (4, 11, 7, Flow.ORIGIN, 1),
    (5, 12, 8, Flow.RECEIVED, 7_000_000_499_999),
    (6, 12, 8, Flow.ADJUSTED, -999_999),
]
ELEMENTS = [
    (10, "Nd", 999_999_999),
    (10, "Pr", 1),
    (11, "Nd", 987_654_321),
    (11, "Dy", 499_999),
    (12, "Nd", 500_000),
    (12, "Tb", 123_456_789),
]


class _Tables:
    """The lake's tables as the test builds them (what `LakeFrames` gives a source)."""

    def __init__(self, frames: dict):
        self.frames = frames

    def __getitem__(self, name: str):
        return self.frames[name]


@pytest.fixture
def source(spark):
    from reetrace.lake.spark.source import SparkSource

    postings = spark.createDataFrame(
        [(e, lot, h, Bucket.STOCK.value, f.value, kg, MONTH) for e, lot, h, f, kg in POSTINGS],
        "event_id long, lot_id long, holder_id long, bucket string, flow string, kg long, "
        "period date",
    )
    events = spark.createDataFrame(
        [(e, EventKind.MINE.value) for e, *_ in POSTINGS], "id long, kind string"
    )
    corrections = spark.createDataFrame([], "event_id long, corrected_id long")
    elements = spark.createDataFrame(ELEMENTS, "lot_id long, element string, fraction long")
    return SparkSource(
        _Tables(
            {
                "postings": postings,
                "events": events,
                "corrections": corrections,
                "lot_elements": elements,
            }
        )
    )


def _exact_metal() -> dict:
    """(holder, flow, element) -> the sum of kg x fraction in Python's integers."""
    found: dict = {}
    for _event, lot, holder, flow, kg in POSTINGS:
        for _lot, element, fraction in (e for e in ELEMENTS if e[0] == lot):
            key = (holder, str(flow), element)
            found[key] = found.get(key, 0) + kg * fraction
    return found


def test_the_recomputed_summary_rounds_each_posting_exactly(source):
    expected: dict = {}
    for _event, lot, holder, flow, kg in POSTINGS:
        for _lot, element, fraction in (e for e in ELEMENTS if e[0] == lot):
            key = (holder, MONTH, element, str(flow))
            expected[key] = expected.get(key, 0) + metal_ug(kg, fraction)
    rows = source.flow_totals(None, enterprise_ids=None, element=None)
    assert rows == sorted((*key, ug) for key, ug in expected.items())
    assert max(abs(kg) * 999_999_999 for *_, kg in POSTINGS) > 2**63  # past 64 bits


def test_metal_sums_are_the_exact_products(source):
    window = Window(None, None, None)  # type: ignore[arg-type]
    flows = (Flow.ORIGIN, Flow.SHIPPED, Flow.RECEIVED, Flow.ADJUSTED)
    rows = list(source.metal(window, keys=("holder_id", "flow"), flows=flows))
    exact = _exact_metal()
    assert rows == [(*key, float(exact[key])) for key in sorted(exact)]
    assert exact[(7, "origin", "Nd")] > 2**63
