"""Concurrent batches (PostgreSQL): the lot lock lets only one spend the same stock, and
the same event sent at once by several clients is stored once, every client answered."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from reetrace.core.errors import BatchRejected, ErrorCode
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import Event
from reetrace.trace.selectors import stock_of
from tests.factories.world import build_world, code, mine_event, ship_event


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_shipments_cannot_overdraw_a_lot(postgres_only):
    world = build_world()
    world.capture(world.miner, mine_event(1, kg="100"))
    actor = world.user_for(world.miner)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def spend(n: int) -> None:
        start.wait()
        try:
            batch_capture(actor=actor, items=[ship_event(f"s{n}", 1, "30", world.separator)])
            outcomes.append("ok")
        except BatchRejected as exc:
            outcomes.append(str(exc.errors[0].code))
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok"] * 3 + [ErrorCode.INSUFFICIENT_BALANCE])
    (line,) = [s for s in stock_of(enterprise=world.miner) if s["lot"] == code(1)]
    assert line["kg"] == Decimal("10")


@pytest.mark.parametrize("kind", ["mine", "ship"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_event_sent_by_four_clients_at_once_is_stored_once(postgres_only, kind):
    """Issue 13 finding 3: one client used to get a 500 (UniqueViolation in the COPY)."""
    world = build_world()
    world.capture(world.miner, mine_event(1, kg="100"))
    actor = world.user_for(world.miner)
    event = mine_event(2) if kind == "mine" else ship_event("s-once", 1, "30", world.separator)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def send() -> None:
        start.wait()
        try:
            result = batch_capture(actor=actor, items=[dict(event)])
            outcomes.append("created" if result.created else "replayed")
        except Exception as exc:  # noqa: BLE001 (the test records whatever escapes)
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "replayed", "replayed", "replayed"]
    assert Event.objects.filter(event_id=event["event_id"]).count() == 1
    assert chain_verify()[1] is None
