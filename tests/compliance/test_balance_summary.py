"""The monthly flow summary that the mass balance reads is the sum of the postings.

Capture maintains it (ledger/monthly.py) in the same transaction as the postings;
these tests recompute it from the posting rows independently (Decimal
arithmetic) after mixed batches with voids and replacements, and check that
the migration's rebuild from postings gives the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from reetrace.compliance.mass_balance import mass_balance
from reetrace.core.errors import BatchRejected
from reetrace.ledger.models import MonthlyFlow, Posting
from reetrace.ledger.monthly import flows_rebuild, metal_ug
from tests.compliance.helpers import adjust, separation
from tests.compliance.test_net_postings import correct
from tests.factories.world import mine_event, receive_event, ship_event

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)


def recomputed() -> dict[tuple, int]:
    """Micrograms per holder, month, bucket, flow and element, straight from the postings."""
    found: dict[tuple, int] = defaultdict(int)
    for posting in Posting.objects.prefetch_related("lot__elements"):
        for row in posting.lot.elements.all():
            metal = (posting.kg * row.fraction * 10**9).to_integral_value(ROUND_HALF_UP)
            key = (posting.holder_id, posting.period, posting.bucket, posting.flow, row.element)
            found[key] += int(metal)
    return dict(found)


def summary() -> dict[tuple, int]:
    return {
        (r.holder_id, r.period, r.bucket, r.flow, r.element): r.metal_ug
        for r in MonthlyFlow.objects.all()
    }


def mixed_batches(world) -> None:
    """Mining, shipments, receipts, a run, adjustments; voids and replacements in and
    across batches, and corrections dated in the corrected event's earlier month."""
    world.capture(
        world.miner,
        mine_event(1, kg="100000.000001"),
        ship_event("s1", 1, "40000", world.separator),
        ship_event("s2", 1, "1000", world.separator),
        correct("fix-s2", "s2", "replace", {"mass": "1500.5"}),
        adjust("adj-1", 1, "-10.333333"),
        correct("void-adj-1", "adj-1", "void"),
    )
    world.capture(
        world.separator,
        receive_event("r1", "s1", "40000"),
        receive_event("r2", "fix-s2", "1500.5"),
        separation("sep-1", "40000", yield_="0.95"),
        adjust("adj-2", 101, "-5"),
    )
    world.capture(
        world.separator,
        correct("void-r2", "r2", "void"),
        correct("fix-adj-2", "adj-2", "replace", {"mass": "-7.25"}),
    )
    world.capture(world.miner, ship_event("s3", 1, "123.456789", world.separator, month=2))


def test_summary_is_the_sum_of_postings_after_corrections(world):
    mixed_batches(world)
    assert Posting.objects.filter(event__event_id__startswith="void-").exists()
    assert summary() == recomputed()
    # a void cancels its original exactly: no residue from rounding
    adjusted = MonthlyFlow.objects.filter(holder=world.miner, flow="adjusted", period=JANUARY)
    assert adjusted.exists() and set(adjusted.values_list("metal_ug", flat=True)) == {0}
    received = MonthlyFlow.objects.get(
        holder=world.separator, flow="received", bucket="S", element="Nd", period=JANUARY
    )
    assert received.metal_ug == 40000 * 8 * 10**6  # r2 (1,500.5 kg) voided: r1's 40 t at 0.8 %


def test_rebuild_from_postings_gives_the_maintained_summary(world):
    mixed_batches(world)
    maintained = summary()
    MonthlyFlow.objects.all().delete()
    flows_rebuild()
    assert summary() == maintained


def test_a_refused_batch_leaves_the_summary_unchanged(world):
    world.capture(world.miner, mine_event(1))
    before = summary()
    with pytest.raises(BatchRejected):
        world.capture(
            world.miner,
            ship_event("s1", 1, "10", world.separator),
            ship_event("s2", 1, "999999", world.separator),
        )
    assert summary() == before


def test_mass_balance_reads_the_summary_in_reo(world):
    mixed_batches(world)
    nd = next(
        line
        for line in mass_balance()
        if (line.enterprise_id, line.element, line.period) == (world.separator.pk, "Nd", JANUARY)
    )
    assert nd.flows["received"] == pytest.approx(40000 * 0.008 * 1.1664, abs=1e-9)
    assert nd.flows["consumed"] == pytest.approx(-40000 * 0.008 * 1.1664, abs=1e-9)
    produced = Decimal(separation("x", "40000", yield_="0.95")["outputs"][0]["composition"]["Nd"])
    assert nd.flows["produced"] == pytest.approx(float(4000 * produced) * 1.1664, abs=1e-9)


@pytest.mark.parametrize(
    ("kg_mg", "ppb", "expected"),
    [
        (1, 500_000, 1),  # half a microgram rounds away from zero
        (-1, 500_000, -1),
        (1, 499_999, 0),
        (47_792_482_000, 321_567_000, 15_368_485_059_294),  # beyond 64 bits before dividing
    ],
)
def test_metal_micrograms_round_half_away_from_zero(kg_mg, ppb, expected):
    assert metal_ug(kg_mg, ppb) == expected
