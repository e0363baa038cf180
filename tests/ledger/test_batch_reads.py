"""What a batch reads before its rules run (`capture.prefetch.state_load`): the same
state as before in fewer queries, and none a batch cannot need."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reetrace.ledger.capture.content import EVENT_ADAPTER
from reetrace.ledger.capture.prefetch import state_load
from tests.factories.world import mine_event, receive_event, ship_event


def _state(world, enterprise, *events):
    items = [EVENT_ADAPTER.validate_python(e) for e in events]
    with CaptureQueriesContext(connection) as queries:
        state = state_load(items, actor=world.user_for(enterprise), now=timezone.now())
    return state, [q["sql"] for q in queries.captured_queries]


def test_shipments_come_with_transit_left_voids_and_receipts_in_one_query(world):
    world.capture(
        world.miner,
        mine_event(1),
        ship_event("s1", 1, "40000", world.separator),
        ship_event("s2", 1, "10000", world.separator),
        ship_event("s3", 1, "5000", world.separator),
    )
    world.capture(world.separator, receive_event("r1", "s1", "39000"))
    world.capture(
        world.miner,
        {
            "event_id": "void-s3",
            "kind": "correct",
            "event_time": "2025-01-06T09:00:00+08:00",
            "corrects": "s3",
            "action": "void",
            "reason": "sent twice",
        },
    )
    state, sql = _state(
        world,
        world.separator,
        receive_event("r2", "s1", "1000"),
        receive_event("r3", "s2", "10000"),
        receive_event("r4", "s3", "5000"),
    )
    found = {key: (s.remaining, s.voided, s.has_receipts) for key, s in state.shipments.items()}
    assert found == {
        "s1": (Decimal("1000"), False, True),
        "s2": (Decimal("10000"), False, False),
        "s3": (Decimal("0"), True, False),  # the void reversed its transit
    }
    assert sum('FROM "ledger_shipment"' in q for q in sql) == 1
    assert not any(q.startswith('SELECT "ledger_receipt"') for q in sql)


def test_a_batch_that_makes_no_lot_reads_no_product_and_one_enterprise_query(world):
    world.capture(world.miner, mine_event(1))
    _, sql = _state(
        world,
        world.miner,
        ship_event("s1", 1, "10", world.separator),
        ship_event("s2", 1, "10", world.metal_maker),
    )
    assert not any('FROM "registry_product"' in q for q in sql)
    assert sum(q.startswith('SELECT "registry_enterprise"') for q in sql) == 1
    state, _ = _state(world, world.miner, mine_event(2))
    assert set(state.products) == {"ORE-BASTNAESITE"}


def test_the_actor_and_the_buyers_are_all_known_to_the_rules(world):
    world.capture(world.miner, mine_event(1))
    state, _ = _state(world, world.miner, ship_event("s1", 1, "10", world.separator))
    assert set(state.enterprises) == {world.miner.identifier, world.separator.identifier}
    assert "miner" in state.roles[world.miner.pk]
