"""Two batches spending the same stock at once: the lot lock lets only one win (PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from reetrace.core.errors import BatchRejected, ErrorCode
from reetrace.ledger.capture import batch_capture
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
