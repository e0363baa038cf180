"""Every reetrace event is served as EPCIS 2.0, and the round trip holds: export each
enterprise's events, capture them into an empty ledger, and the ledger, the stock and
the genealogy are what they were."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.scheme import lot_lgtin
from reetrace.epcis.validation import document_problems
from reetrace.ledger.models import (
    Adjustment,
    ChainHead,
    Correction,
    Event,
    ExportDeclaration,
    Lot,
    LotElement,
    LotLink,
    MonthlyFlow,
    Origin,
    Posting,
    Receipt,
    Shipment,
    Transformation,
)
from reetrace.trace.selectors import stock_of
from tests.factories.chain import MAGNET
from tests.factories.world import at

pytestmark = pytest.mark.django_db


def _later_events(world):
    world.capture(
        world.magnet_maker,
        {
            "event_id": "adj-1",
            "kind": "adjust",
            "event_time": at(3, 20),
            "lot": MAGNET,
            "mass": "-5",
            "reason": "process_loss",
            "note": "grinding",
        },
        {
            "event_id": "s-void",
            "kind": "ship",
            "event_time": at(3, 21),
            "lot": MAGNET,
            "mass": "10",
            "buyer": world.user_firm.identifier,
            "unit_price": "90",
            "currency": "CNY",
            "contract": "K:void/1",
        },
        {
            "event_id": "c-void",
            "kind": "correct",
            "event_time": at(3, 22),
            "corrects": "s-void",
            "action": "void",
            "reason": "sent twice",
        },
        {
            "event_id": "c-use",
            "kind": "correct",
            "event_time": at(3, 23),
            "corrects": "s-use",
            "action": "replace",
            "reason": "weighed again",
            "replacement": {"mass": "190"},
        },
    )
    # the buyer receives the shipment as the correction replaced it
    world.capture(
        world.user_firm,
        {
            "event_id": "r-use",
            "kind": "receive",
            "event_time": at(3, 24),
            "shipment": "c-use",
            "mass": "190",
        },
    )


def _snapshot(world) -> dict:
    def rows(model, *fields):
        return sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*fields))

    return {
        "events": rows(Event, "kind", "reporter__identifier", "event_time", "period", "is_late"),
        "lots": rows(Lot, "code", "product__code", "producer__identifier", "mass_kg", "site__code"),
        "elements": rows(LotElement, "lot__code", "element", "fraction"),
        "origins": rows(Origin, "lot__code", "quota__code", "customs_declaration", "source"),
        "transformations": rows(Transformation, "process", "quota__code", "event__event_time"),
        "shipments": rows(
            Shipment,
            "seller__identifier",
            "buyer__identifier",
            "lot__code",
            "kg",
            "unit_price",
            "currency",
            "contract",
        ),
        "receipts": rows(Receipt, "shipment__lot__code", "kg"),
        "exports": rows(
            ExportDeclaration,
            "lot__code",
            "kg",
            "customs_declaration",
            "hs_code",
            "destination",
            "consignee",
            "end_user",
            "licence_number",
            "fob_value",
            "currency",
        ),
        "adjustments": rows(Adjustment, "lot__code", "kg", "reason", "note"),
        "corrections": rows(Correction, "corrected__kind", "action", "reason"),
        "genealogy": rows(LotLink, "parent__code", "child__code", "kg"),
        "stock": {
            e.identifier: json.dumps(stock_of(enterprise=e), default=str, sort_keys=True)
            for e in (
                world.miner,
                world.separator,
                world.metal_maker,
                world.magnet_maker,
                world.user_firm,
            )
        },
    }


def _wipe_ledger() -> None:
    for model in (
        EpcisEvent,
        LotLink,
        Posting,
        MonthlyFlow,
        Correction,
        Adjustment,
        ExportDeclaration,
        Receipt,
        Shipment,
        Transformation,
        Origin,
        LotElement,
        Lot,
    ):
        model.objects.all().delete()
    Event.objects.all().delete()
    ChainHead.objects.all().delete()


def test_export_then_capture_into_an_empty_ledger_gives_the_same_ledger(chain, tmp_path):
    _later_events(chain)
    before = _snapshot(chain)
    order = [chain.miner, chain.separator, chain.metal_maker, chain.magnet_maker, chain.user_firm]
    files = []
    for enterprise in order:
        path = tmp_path / f"{enterprise.pk}.jsonld"
        call_command(
            "epcis",
            "export",
            "--enterprise",
            enterprise.identifier,
            "--from",
            "2025-01-01",
            "--to",
            "2026-01-01",
            str(path),
        )
        document = json.loads(path.read_text())
        assert document_problems(document) == []
        files.append((enterprise, path))
    assert (
        sum(len(json.loads(p.read_text())["epcisBody"]["eventList"]) for _, p in files)
        == Event.objects.count() + 1
    )  # the replacing correction travels as two events
    _wipe_ledger()
    assert Lot.objects.count() == 0
    for enterprise, path in files:
        call_command("epcis", "capture", "--user", chain.user_for(enterprise).username, str(path))
    after = _snapshot(chain)
    assert set(after["events"]) ^ set(before["events"]) == set()
    assert after == before
    assert Event.objects.filter(event_id__startswith="epcis-").count() == Event.objects.count()


def test_a_second_capture_of_the_export_is_a_replay(chain, tmp_path):
    path = tmp_path / "miner.jsonld"
    call_command(
        "epcis",
        "export",
        "--enterprise",
        chain.miner.identifier,
        "--from",
        "2025-01-01",
        "--to",
        "2026-01-01",
        str(path),
    )
    _wipe_ledger()
    user = chain.user_for(chain.miner).username
    call_command("epcis", "capture", "--user", user, str(path))
    counts = (Event.objects.count(), EpcisEvent.objects.count(), Lot.objects.count())
    assert counts[0] > 0
    call_command("epcis", "capture", "--user", user, str(path))
    assert (Event.objects.count(), EpcisEvent.objects.count(), Lot.objects.count()) == counts


def test_identifier_commands_print_digital_links(chain):
    from tests.cli.helpers import run, run_failing

    out, _ = run("epcis", "lgtin", MAGNET)
    assert out.strip() == lot_lgtin(MAGNET, "MAGNET-NDFEB-SINTERED")
    out, _ = run("epcis", "gln", "--enterprise", chain.miner.identifier)
    assert out.strip().startswith("https://id.gs1.org/417/6975000")
    again, _ = run("epcis", "gln", "--enterprise", chain.miner.identifier)
    assert again == out
    message, _ = run_failing("epcis", "lgtin", "RT000000000000X")
    assert "no lot" in message
