"""The hash chain covers every row an event wrote: any edited field, deleted or inserted
row, in any ledger table, is found and named (table and field), and the command fails."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import ChainHead, Event
from tests.factories.chain import MAGNET
from tests.factories.world import at, mine_event, ship_event


@pytest.fixture
def chained(world):
    world.capture(world.miner, mine_event(1), mine_event(2))
    world.capture(world.miner, ship_event("s1", 1, "5", world.separator))
    return world


@pytest.fixture
def every_table(chain):
    """The shared chain plus a stock count and a void: every ledger table has rows."""
    chain.capture(
        chain.magnet_maker,
        {
            "event_id": "adj-1",
            "kind": "adjust",
            "event_time": at(3, 20),
            "lot": MAGNET,
            "mass": "-10",
            "reason": "stock_count",
        },
        {
            "event_id": "void-use",
            "kind": "correct",
            "event_time": at(3, 21),
            "corrects": "s-use",
            "action": "void",
            "reason": "sent to the wrong customer",
        },
    )
    # Bayan Obo ore carries iron: a constituent that is not a rare earth
    ferrous = mine_event(50)
    ferrous["lot"]["composition"] = ferrous["lot"]["composition"] | {"Fe": "0.35"}
    chain.capture(chain.miner, ferrous)
    return chain


def test_intact_chain_verifies(chained, capsys):
    assert chain_verify() == (3, None)
    call_command("verify_chain")
    assert "3 events verified" in capsys.readouterr().out


def test_every_kind_verifies(every_table):
    checked, broken = chain_verify()
    assert broken is None
    assert checked == Event.objects.count()


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


_FIRST = "(SELECT MIN(id) FROM {table})"
# (table, column, SQL expression): an administrator's edit of one field of one row.
EDITS = [
    ("ledger_event", "event_time", "event_time + INTERVAL '1 day'"),
    ("ledger_event", "reporter_id", "reporter_id + 1"),
    ("ledger_event", "is_late", "NOT is_late"),
    ("ledger_lot", "mass_kg", "mass_kg + 1"),
    ("ledger_lot", "product_id", "product_id + 1"),
    ("ledger_lotelement", "fraction", "fraction + 1"),
    ("ledger_lotconstituent", "fraction", "fraction + 1"),
    ("ledger_origin", "quota_id", "NULL"),
    ("ledger_transformation", "process", "'blending'"),
    ("ledger_shipment", "kg", "kg * 2"),
    ("ledger_shipment", "unit_price", "unit_price + 1"),
    ("ledger_shipment", "buyer_id", "seller_id"),
    ("ledger_receipt", "kg", "kg - 1"),
    ("ledger_exportdeclaration", "destination", "'US'"),
    ("ledger_exportdeclaration", "licence_number", "'L-FORGED'"),
    ("ledger_adjustment", "kg", "kg - 1"),
    ("ledger_correction", "reason", "'nothing happened'"),
    ("ledger_posting", "kg", "kg + 1000"),
    ("ledger_posting", "holder_id", "holder_id + 1"),
    ("ledger_lotlink", "kg", "kg + 1"),
]


def _interval(expression: str) -> str:
    """SQLite has no INTERVAL: shift the stored text time by a day instead."""
    if connection.vendor == "sqlite" and "INTERVAL" in expression:
        return "datetime(event_time, '+1 day')"
    if connection.vendor == "sqlite" and expression.startswith("NOT "):
        return f"1 - {expression[4:]}"
    return expression


@pytest.mark.parametrize(
    ("table", "column", "expression"), EDITS, ids=[f"{t}.{c}" for t, c, _ in EDITS]
)
def test_an_edited_field_is_found_and_named(every_table, table, column, expression):
    _sql(
        f"UPDATE {table} SET {column} = {_interval(expression)} "
        f"WHERE id = {_FIRST.format(table=table)}"
    )
    checked, broken = chain_verify()
    assert broken is not None, f"{table}.{column} edit went unnoticed"
    assert (broken.table, broken.field) == (table, column)
    with pytest.raises(CommandError, match=f"table {table}, field"):
        call_command("verify_chain")


def test_an_edited_payload_is_found(every_table):
    """The finding that opened issue 13: a mass edited inside the stored content."""
    event = Event.objects.get(event_id="s-a")
    event.payload["mass"] = "99.000000"
    Event.objects.filter(pk=event.pk).update(payload=event.payload)
    broken = chain_verify()[1]
    assert (broken.event_id, broken.table, broken.field) == ("s-a", "ledger_event", "payload")


def test_an_edited_genealogy_link_share_is_found(every_table):
    _sql(
        'UPDATE ledger_lotlink SET reo_kg = \'{"Nd": "1"}\' '
        "WHERE id = (SELECT MIN(id) FROM ledger_lotlink)"
    )
    broken = chain_verify()[1]
    assert (broken.table, broken.field) == ("ledger_lotlink", "reo_kg")


@pytest.mark.parametrize(
    "table", ["ledger_posting", "ledger_lotelement", "ledger_lotconstituent", "ledger_lotlink"]
)
def test_a_deleted_row_is_found(every_table, table):
    _sql(f"DELETE FROM {table} WHERE id = (SELECT MAX(id) FROM {table})")
    broken = chain_verify()[1]
    assert (broken.table, broken.field) == (table, "(rows)")
    assert "deleted" in broken.reason


def test_an_inserted_posting_is_found(every_table):
    _sql(
        "INSERT INTO ledger_posting "
        "(event_id, lot_id, holder_id, bucket, flow, shipment_id, kg, period) "
        "SELECT event_id, lot_id, holder_id, bucket, flow, shipment_id, 5000000, period "
        "FROM ledger_posting WHERE id = (SELECT MIN(id) FROM ledger_posting)"
    )
    broken = chain_verify()[1]
    assert (broken.event_id, broken.table, broken.field) == ("m-a", "ledger_posting", "(rows)")
    assert "inserted" in broken.reason


def test_an_edited_monthly_flow_is_found(every_table):
    _sql(
        "UPDATE ledger_monthlyflow SET metal_ug = metal_ug + 1 "
        "WHERE id = (SELECT MIN(id) FROM ledger_monthlyflow)"
    )
    broken = chain_verify()[1]
    assert (broken.table, broken.field) == ("ledger_monthlyflow", "metal_ug")


def test_a_deleted_event_is_found(chained):
    """The newest event removed with every row it wrote: the chain head still counts it."""
    s1 = "(SELECT id FROM ledger_event WHERE event_id = 's1')"
    _sql(f"DELETE FROM ledger_posting WHERE event_id = {s1}")
    _sql(f"DELETE FROM ledger_shipment WHERE event_id = {s1}")
    _sql("DELETE FROM ledger_event WHERE event_id = 's1'")
    broken = chain_verify()[1]
    assert broken is not None and broken.event_id == "(end)"


def test_edited_content_hash_breaks_the_chain(chained):
    Event.objects.filter(event_id="mine-2").update(content_hash="f" * 64)
    checked, broken = chain_verify()
    assert (broken.event_id, broken.position) == ("mine-2", 2)
    with pytest.raises(CommandError, match="mine-2"):
        call_command("verify_chain")


def test_tampered_last_link_is_noticed(chained):
    Event.objects.filter(event_id="s1").update(chain_hash="0" * 64)
    assert chain_verify()[1].event_id == "s1"


def test_an_edited_fingerprint_alone_is_noticed(chained):
    Event.objects.filter(event_id="s1").update(seal="e1:0000")
    broken = chain_verify()[1]
    assert (broken.event_id, broken.field) == ("s1", "seal")


_relink = import_module("reetrace.ledger.migrations.0005_chain_recorded_at_utc")
_reseal = import_module("reetrace.ledger.migrations.0006_event_seal")


def _hash_in_china_time() -> None:
    """The chain as it was hashed before recorded times were linked as UTC text and
    before rows were sealed."""
    previous = _relink.GENESIS
    for event in Event.objects.order_by("pk"):
        recorded = event.recorded_at.astimezone(_relink.CHINA).isoformat()
        previous = _relink._link(previous, event.event_id, recorded, event.content_hash)
        Event.objects.filter(pk=event.pk).update(chain_hash=previous, seal="")
    ChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_migrations_relink_and_seal_an_old_chain(chained):
    _hash_in_china_time()
    assert chain_verify()[1] is not None
    _relink.relink(django_apps, None)
    _reseal.reseal(django_apps, None)
    assert chain_verify() == (3, None)


def test_migrations_leave_a_tampered_chain_broken(chained):
    _hash_in_china_time()
    Event.objects.filter(event_id="mine-2").update(content_hash="f" * 64)
    hashes = list(Event.objects.order_by("pk").values_list("chain_hash", flat=True))
    _relink.relink(django_apps, None)
    _reseal.reseal(django_apps, None)
    # not laundered: the stored links stay as they were, and the chain does not verify
    assert list(Event.objects.order_by("pk").values_list("chain_hash", flat=True)) == hashes
    assert chain_verify()[1] is not None
