"""Capture rules: each invariant refuses with its own code, names the field, changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.core.errors import BatchRejected, ErrorCode
from reetrace.ledger.models import Event, Lot, Posting, Shipment
from reetrace.trace.selectors import stock_of
from tests.factories.world import at, code, mine_event, receive_event, ship_event


def ledger_size() -> tuple[int, int, int]:
    return Event.objects.count(), Lot.objects.count(), Posting.objects.count()


def rejected(world, enterprise, *events) -> BatchRejected:
    before = ledger_size()
    with pytest.raises(BatchRejected) as info:
        world.capture(enterprise, *events)
    assert ledger_size() == before, "a rejected batch must change nothing"
    return info.value


def held(enterprise, lot: int) -> Decimal:
    lines = [s for s in stock_of(enterprise=enterprise) if s["lot"] == code(lot)]
    return sum((s["kg"] for s in lines if s["state"] == "in_stock"), Decimal(0))


def test_mine_creates_lot_and_stock(world):
    result = world.capture(world.miner, mine_event(1, kg="2.5 t"))
    assert result.created == 1
    assert result.items[0].lot_codes == [code(1)]
    assert held(world.miner, 1) == Decimal("2500")


def test_ship_and_partial_receipt_leave_the_rest_in_transit(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    world.capture(world.separator, receive_event("r1", "s1", "39000"))
    assert held(world.miner, 1) == Decimal("60000")
    assert held(world.separator, 1) == Decimal("39000")
    transit = [s for s in stock_of(enterprise=world.separator) if s["state"] == "in_transit"]
    assert [t["kg"] for t in transit] == [Decimal("1000")]


def test_cannot_ship_more_than_held(world):
    world.capture(world.miner, mine_event(1, kg="100"))
    error = rejected(world, world.miner, ship_event("s1", 1, "100.001", world.separator))
    assert [(e.index, e.code, e.field) for e in error.errors] == [
        (0, ErrorCode.INSUFFICIENT_BALANCE, "mass")
    ]
    assert "holds only 100.000000 kg" in error.errors[0].message


def test_reporter_must_hold_the_lot(world):
    world.capture(world.miner, mine_event(1))
    error = rejected(world, world.separator, ship_event("s1", 1, "10", world.metal_maker))
    assert error.errors[0].code == ErrorCode.LOT_NOT_HELD


def test_event_kind_must_fit_reporter_roles(world):
    error = rejected(world, world.separator, mine_event(1))
    assert error.errors[0].code == ErrorCode.ROLE_NOT_ALLOWED
    assert error.errors[0].field == "kind"


def test_quantities_must_be_positive_and_units_known(world):
    error = rejected(world, world.miner, mine_event(1, kg="0"), mine_event(2, kg="12 lb"))
    assert [(e.index, e.code, e.field) for e in error.errors] == [
        (0, ErrorCode.QUANTITY_NOT_POSITIVE, "lot.mass"),
        (1, ErrorCode.UNKNOWN_UNIT, "lot.mass"),
    ]


def test_future_event_time_is_refused(world):
    event = mine_event(1) | {"event_time": at(1, year=2099)}
    error = rejected(world, world.miner, event)
    assert error.errors[0].code == ErrorCode.FUTURE_EVENT_TIME


def test_batch_is_all_or_nothing_and_lists_every_error(world):
    good = mine_event(1)
    bad_quota = mine_event(2) | {"quota": "Q-NOPE"}
    bad_composition = mine_event(3)
    bad_composition["lot"] = bad_composition["lot"] | {"composition": {"Nd": "0.7", "Pr": "0.4"}}
    error = rejected(world, world.miner, good, bad_quota, bad_composition)
    assert [(e.index, e.code) for e in error.errors] == [
        (1, ErrorCode.UNKNOWN_QUOTA),
        (2, ErrorCode.COMPOSITION_INVALID),
    ]


def test_later_items_may_use_lots_made_earlier_in_the_batch(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "10", world.separator))
    assert Shipment.objects.get().kg == Decimal("10")


def test_resend_is_a_no_op_and_changed_content_is_a_conflict(world):
    world.capture(world.miner, mine_event(1))
    before = ledger_size()
    again = world.capture(world.miner, mine_event(1))
    assert (again.created, again.replayed) == (0, 1)
    assert again.items[0].lot_codes == [code(1)]
    assert ledger_size() == before
    error = rejected(world, world.miner, mine_event(1, kg="99"))
    assert error.errors[0].code == ErrorCode.DUPLICATE_EVENT_CONFLICT
    assert error.status == 409


def test_resend_with_equivalent_units_is_the_same_content(world):
    world.capture(world.miner, mine_event(1, kg="2 t"))
    assert world.capture(world.miner, mine_event(1, kg="2000 kg")).replayed == 1


def transform(event_id: str, inputs: list[tuple[int, str]], outputs: list[dict], **extra) -> dict:
    return {
        "event_id": event_id,
        "kind": "transform",
        "event_time": at(1, 10),
        "process": "separation",
        "quota": "Q-2025-SEP-1",
        "inputs": [{"lot": code(n), "mass": kg} for n, kg in inputs],
        "outputs": outputs,
        **extra,
    }


def test_transformation_cannot_create_an_element(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "1000", world.separator))
    world.capture(world.separator, receive_event("r1", "s1", "1000"))
    # 1000 kg ore holds 8 kg Nd metal; an output with 8.5 kg Nd (11 kg of oxide) is impossible.
    too_much = {"code": code(2), "product": "OXIDE-ND", "mass": "11", "composition": {"Nd": "0.78"}}
    error = rejected(world, world.separator, transform("t1", [(1, "1000")], [too_much]))
    assert error.errors[0].code == ErrorCode.CONSERVATION_VIOLATED
    assert error.errors[0].field == "outputs.Nd"
    fine = too_much | {"composition": {"Nd": "0.7"}}
    world.capture(world.separator, transform("t1", [(1, "1000")], [fine]))
    assert held(world.separator, 2) == Decimal("11")
    assert held(world.separator, 1) == Decimal("0")


def test_void_reverses_and_replace_rewrites(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "400", world.separator))
    world.capture(
        world.miner,
        {
            "event_id": "c1",
            "kind": "correct",
            "event_time": at(1, 6),
            "corrects": "s1",
            "action": "replace",
            "reason": "wrong weight",
            "replacement": {"mass": "300"},
        },
    )
    assert held(world.miner, 1) == Decimal("99700")
    error = rejected(world, world.separator, receive_event("r1", "s1", "300"))
    assert error.errors[0].code == ErrorCode.UNKNOWN_SHIPMENT
    world.capture(world.separator, receive_event("r1", "c1", "300"))
    assert held(world.separator, 1) == Decimal("300")


def test_void_that_would_make_stock_negative_is_refused(world):
    world.capture(world.miner, mine_event(1, kg="100"), ship_event("s1", 1, "100", world.separator))
    error = rejected(
        world,
        world.miner,
        {
            "event_id": "c1",
            "kind": "correct",
            "event_time": at(1, 6),
            "corrects": "mine-1",
            "action": "void",
            "reason": "duplicate",
        },
    )
    assert error.errors[0].code == ErrorCode.INSUFFICIENT_BALANCE


@pytest.mark.parametrize("reason", ["process_loss", "damage", "theft"])
def test_a_loss_cannot_add_stock(world, reason):
    world.capture(world.miner, mine_event(1, kg="100"))
    gain = {
        "kind": "adjust",
        "event_id": "adj-1",
        "event_time": at(2),
        "lot": code(1),
        "mass": "5",
        "reason": reason,
    }
    error = rejected(world, world.miner, gain)
    assert [(e.index, e.code, e.field) for e in error.errors] == [(0, ErrorCode.INVALID, "mass")]
    assert "is a loss" in error.errors[0].message
    assert held(world.miner, 1) == Decimal("100")


def test_a_count_may_find_more_and_a_loss_takes_away(world):
    world.capture(world.miner, mine_event(1, kg="100"))
    count = {"kind": "adjust", "event_id": "adj-1", "event_time": at(2), "lot": code(1)}
    world.capture(world.miner, count | {"mass": "5", "reason": "stock_count"})
    world.capture(world.miner, count | {"event_id": "adj-2", "mass": "-3", "reason": "theft"})
    assert held(world.miner, 1) == Decimal("102")


def test_a_receipt_always_has_the_sellers_shipment_behind_it(world):
    """Issue 16 (receipts from a supplier whose books never show the shipment): a
    receipt must name a shipment to its reporter, and a received shipment cannot be
    voided or replaced afterwards, so only an adjustment can book such material in
    (compliance's supplier_never_shipped)."""
    error = rejected(world, world.separator, receive_event("r0", "never-shipped", "10"))
    assert (error.errors[0].code, error.errors[0].field) == (ErrorCode.UNKNOWN_SHIPMENT, "shipment")
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "400", world.separator))
    world.capture(world.separator, receive_event("r1", "s1", "400"))
    for action, extra in (("void", {}), ("replace", {"replacement": {"mass": "1"}})):
        correction = {
            "event_id": f"c-{action}",
            "kind": "correct",
            "event_time": at(1, 8),
            "corrects": "s1",
            "action": action,
            "reason": "never sent",
        }
        error = rejected(world, world.miner, correction | extra)
        assert error.errors[0].code == ErrorCode.EVENT_NOT_CORRECTABLE
        assert "has receipts" in error.errors[0].message
    assert held(world.separator, 1) == Decimal("400")
