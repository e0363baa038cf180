"""EPCIS events become ledger events through batch capture, with every invariant."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reetrace.epcis.capture import CaptureRefused, document_capture
from reetrace.epcis.models import CaptureJob, EpcisEvent
from reetrace.ledger.models import Event, Lot, Receipt, Shipment
from tests.epcis import documents as d
from tests.factories.world import code

pytestmark = pytest.mark.django_db

ORE = code(501)


def capture(world, enterprise, *events, content_type="application/ld+json"):
    user = world.user_for(enterprise)
    job = CaptureJob.objects.create(submitted_by=user, reporter=enterprise)
    return document_capture(user=user, data=d.body(*events), content_type=content_type, job=job)


def test_mine_ship_receive_become_ledger_events(world):
    capture(
        world,
        world.miner,
        d.mined(ORE, "100000", 1, Nd="0.008", La="0.015"),
        d.shipped(ORE, "ORE-BASTNAESITE", "60000", world.miner, world.separator, 2),
    )
    capture(world, world.separator, d.received(ORE, "ORE-BASTNAESITE", "60000", 3))
    lot = Lot.objects.get(code=ORE)
    assert lot.product.code == "ORE-BASTNAESITE"
    assert lot.producer == world.miner
    assert {e.element: e.fraction for e in lot.elements.all()} == {
        "Nd": Decimal("0.008"),
        "La": Decimal("0.015"),
    }
    shipment = Shipment.objects.get(lot=lot)
    assert shipment.buyer == world.separator and shipment.kg == Decimal("60000")
    assert Receipt.objects.get(shipment=shipment).kg == Decimal("60000")
    assert Event.objects.filter(event_id__startswith="epcis-").count() == 3
    assert EpcisEvent.objects.filter(ledger_event__isnull=False).count() == 3


def test_tonnes_and_grams_are_converted_exactly(world):
    event = d.mined(ORE, "1", 1)
    event["quantityList"][0] |= {"quantity": 1234.567891, "uom": "TNE"}
    capture(world, world.miner, event)
    lot = Lot.objects.get(code=ORE)
    assert lot.mass_kg == Decimal("1234567.891")


def test_a_resend_is_a_replay(world):
    event = d.mined(ORE, "100000", 1)
    first = capture(world, world.miner, event)
    again = capture(world, world.miner, event)
    assert len(first.created) == 1 and again.created == [] and again.replayed == first.created
    assert Event.objects.count() == 1


def test_an_invariant_breach_stores_nothing_and_names_the_event(world):
    with pytest.raises(CaptureRefused) as refused:
        capture(
            world,
            world.miner,
            d.mined(ORE, "1000", 1),
            d.shipped(ORE, "ORE-BASTNAESITE", "5000", world.miner, world.separator, 2),
        )
    assert refused.value.kind == "epcisException:ValidationException"
    assert [e["index"] for e in refused.value.errors] == [1]
    assert Event.objects.count() == 0 and EpcisEvent.objects.count() == 0
    job = CaptureJob.objects.get()
    assert job.state == "failed" and job.errors[0]["index"] == 1


def test_an_unknown_party_is_named_by_event_and_field(world):
    event = d.shipped(ORE, "ORE-BASTNAESITE", "10", world.miner, world.separator, 2)
    event["destinationList"][0]["destination"] = "urn:epc:id:pgln:4000001.00000"
    with pytest.raises(CaptureRefused) as refused:
        capture(world, world.miner, d.mined(ORE, "1000", 1), event)
    assert refused.value.errors == [
        {
            "index": 1,
            "field": "destinationList.0.destination",
            "message": "destinationList.0.destination: 'urn:epc:id:pgln:4000001.00000' "
            "is no registered party",
        }
    ]


def test_an_event_may_describe_only_its_own_custody(world):
    capture(world, world.miner, d.mined(ORE, "1000", 1))
    event = d.shipped(ORE, "ORE-BASTNAESITE", "10", world.miner, world.separator, 2)
    with pytest.raises(CaptureRefused) as refused:
        capture(world, world.separator, event)
    assert refused.value.errors[0]["field"] == "sourceList.0.source"
    assert "only its own custody" in refused.value.errors[0]["message"]


def test_schema_errors_refuse_the_document(world):
    event = d.mined(ORE, "1000", 1)
    event["quantityList"][0]["quantity"] = "a lot"
    del event["eventTimeZoneOffset"]
    with pytest.raises(CaptureRefused) as refused:
        capture(world, world.miner, event)
    fields = {e["field"] for e in refused.value.errors}
    assert fields == {"quantityList.0.quantity", "eventTimeZoneOffset"}


def test_events_that_change_no_custody_are_kept_and_linked(world):
    capture(world, world.miner, d.mined(ORE, "1000", 1), d.inspected(ORE, "ORE-BASTNAESITE", 2))
    kept = EpcisEvent.objects.get(ledger_event__isnull=True)
    assert kept.lots == [ORE] and kept.document["bizStep"] == "inspecting"
    assert Event.objects.count() == 1


def test_transformation_conserves_elements(world):
    out = code(502)
    capture(
        world,
        world.miner,
        d.mined(ORE, "100000", 1, Nd="0.008"),
        d.shipped(ORE, "ORE-BASTNAESITE", "100000", world.miner, world.separator, 2),
    )
    capture(world, world.separator, d.received(ORE, "ORE-BASTNAESITE", "100000", 3))
    too_much = d.transformed(
        [(ORE, "ORE-BASTNAESITE", "100000")],
        [(out, "OXIDE-ND", "2000", {"Nd": "0.857"})],
        "separation",
        4,
        quota="Q-2025-SEP-1",
    )
    with pytest.raises(CaptureRefused) as refused:
        capture(world, world.separator, too_much)
    assert refused.value.errors[0]["index"] == 0
    assert "Nd" in json.dumps(refused.value.errors)
    fine = d.transformed(
        [(ORE, "ORE-BASTNAESITE", "100000")],
        [(out, "OXIDE-ND", "900", {"Nd": "0.857"})],
        "separation",
        4,
        quota="Q-2025-SEP-1",
    )
    capture(world, world.separator, fine)
    assert Lot.objects.get(code=out).product.code == "OXIDE-ND"


def test_error_declaration_voids_the_event(world):
    event = d.mined(ORE, "1000", 1)
    capture(world, world.miner, event)
    declared = event | {
        "errorDeclaration": {
            "declarationTime": "2025-03-02T10:00:00+08:00",
            "reason": "incorrect_data",
        }
    }
    capture(world, world.miner, declared)
    original = Event.objects.get(kind="mine")
    assert original.corrected_by.action == "void"
    assert original.corrected_by.reason == "incorrect_data"


def _queries(world, enterprise, *events) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        outcome = capture(world, enterprise, *events)
    return len(queries), outcome.created


def test_a_documents_reads_do_not_grow_with_its_events(world):
    """Parties and sites (by GLN), buyers and the shipments receipts name by hash are
    read once per document, not once per event."""
    lots = [code(610 + n) for n in range(4)]
    capture(world, world.miner, *[d.mined(lot, "1000", 1) for lot in lots])

    def shipped(chosen):
        return [
            d.shipped(lot, "ORE-BASTNAESITE", "100", world.miner, world.separator, 2)
            for lot in chosen
        ]

    one, first = _queries(world, world.miner, *shipped(lots[:1]))
    three, rest = _queries(world, world.miner, *shipped(lots[1:]))
    assert (len(first), len(rest)) == (1, 3)
    assert three == one

    def received(chosen, hashes):
        return [
            d.received(lot, "ORE-BASTNAESITE", "100", 3) | {"rt:shipment": shipment}
            for lot, shipment in zip(chosen, hashes, strict=True)
        ]

    one, _ = _queries(world, world.separator, *received(lots[:1], first))
    three, _ = _queries(world, world.separator, *received(lots[1:], rest))
    assert three == one
    assert Receipt.objects.count() == 4
    received_from = set(Receipt.objects.values_list("shipment__event__event_id", flat=True))
    assert received_from == set(Shipment.objects.values_list("event__event_id", flat=True))
