"""The monthly movement summary (what the national overview draws) is what the events
in force wrote: capture moves it batch by batch, voids and replacements included, the
rebuild from the ledger's rows gives the same rows, and verify_chain names a change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import MonthlyMovement
from reetrace.ledger.movements import LINK, SALE, movements_rebuild
from tests.compliance.test_balance_summary import mixed_batches

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)
ND_OXIDE = Decimal("1.1664")  # Nd2O3 per kg of Nd metal


def summary() -> dict[tuple, int]:
    return {
        (r.element, r.period, r.route, r.source_kind, r.source_form, r.target): r.reo_ug
        for r in MonthlyMovement.objects.all()
    }


def test_capture_moves_the_summary_as_the_rebuild_derives_it(world):
    mixed_batches(world)
    maintained = summary()
    assert {key[2] for key in maintained} == {LINK, SALE}
    MonthlyMovement.objects.all().delete()
    movements_rebuild()
    assert summary() == maintained


def test_voided_and_replaced_sales_count_only_as_replaced(world):
    """s1 (40 t) stands, s2 (1 t) was replaced by 1,500.5 kg in the same batch, s3 is
    in February: January's Nd sold to the separator is 41,500.5 kg x 0.8 % as oxide."""
    mixed_batches(world)
    sold = MonthlyMovement.objects.get(
        element="Nd", period=JANUARY, route=SALE, target=world.separator.identifier
    )
    assert sold.source_kind == "mine"
    assert sold.reo_ug == Decimal("41500.5") * Decimal("0.008") * ND_OXIDE * 10**9


def test_verify_chain_names_a_changed_movement(world):
    mixed_batches(world)
    assert chain_verify()[1] is None
    row = MonthlyMovement.objects.filter(route=LINK).first()
    MonthlyMovement.objects.filter(pk=row.pk).update(reo_ug=row.reo_ug + 1)
    found = chain_verify()[1]
    assert found is not None and (found.table, found.field) == ("ledger_monthlymovement", "reo_ug")
    assert f"{row.reo_ug} µg" in found.reason and f"{row.reo_ug + 1} µg" in found.reason
