"""Run by test_replica.py in a process of its own, against a primary and its streaming
replica (REETRACE_DATABASE_URL, REETRACE_REPLICA_URL); prints one line per check."""

from __future__ import annotations

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reetrace.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, router, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reetrace.accounts.permissions import UserRole  # noqa: E402
from reetrace.core.routing import replica_reads_context  # noqa: E402
from reetrace.ledger.models import Event  # noqa: E402
from tests.factories.chain import MAGNET, build_chain  # noqa: E402
from tests.factories.world import at, build_world, code  # noqa: E402


def caught_up(timeout: float = 30.0) -> float:
    """Wait until the replica holds every event of the primary; the seconds it took."""
    started, wanted = time.monotonic(), Event.objects.using("default").count()
    while Event.objects.using("replica").count() != wanted:
        if time.monotonic() - started > timeout:
            sys.exit(f"FAIL replica did not catch up with {wanted} events in {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


def read(client: Client, url: str):
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(url)
    # the genealogy walk itself (the permission check's key lookup of the lot and the
    # audit journal's append run on the primary, outside the heavy read)
    walks = [
        [q["sql"] for q in queries.captured_queries if "RECURSIVE" in (q["sql"] or "").upper()]
        for queries in (on_replica, on_primary)
    ]
    return response, *walks


def main() -> None:
    call_command("migrate", verbosity=0)
    world = build_world()
    build_chain(world)
    print(f"OK caught up in {caught_up():.2f} s")

    regulator = world.client(UserRole.REGULATOR)
    response, on_replica, on_primary = read(regulator, f"/api/v1/lots/{MAGNET}/genealogy")
    assert response.status_code == 200, response.content
    assert on_replica and not on_primary, (on_replica, on_primary)
    print("OK the genealogy walk ran on the replica, not on the primary")

    miner = world.client(world.miner)
    lot = code(150)
    event = {
        "event_id": "m-replica",
        "kind": "mine",
        "quota": "Q-2025-MINING-1",
        "event_time": at(3, 20),
        "lot": {
            "code": lot,
            "product": "ORE-BASTNAESITE",
            "mass": "10",
            "composition": {"Nd": "0.01"},
        },
    }
    posted = miner.post("/api/v1/events", {"events": [event]}, content_type="application/json")
    assert posted.status_code in (200, 201), posted.content
    response, on_replica, on_primary = read(miner, f"/api/v1/lots/{lot}/genealogy")
    assert response.status_code == 200, response.content
    assert on_primary and not on_replica, (on_replica, on_primary)
    print("OK the read after a capture was pinned to the primary and saw the new lot")

    caught_up()
    response, on_replica, on_primary = read(regulator, f"/api/v1/lots/{lot}/genealogy")
    assert response.status_code == 200 and on_replica and not on_primary
    print("OK another client reads the new lot on the replica once it caught up")

    with replica_reads_context():
        assert router.db_for_read(Event) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Event) == "default"
    print("OK reads inside a transaction (a capture) stay on the primary")

    admin = world.users[UserRole.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = Client()
    page.force_login(admin)
    status = page.get("/admin/status/")
    text = status.content.decode()
    assert status.status_code == 200 and "streaming (in recovery)" in text, text[-2000:]
    assert "bytes of WAL behind" in text, text[-2000:]
    print("OK admin status page shows the replica's lag")


if __name__ == "__main__":
    main()
