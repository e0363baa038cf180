"""Approval -> licence -> export drawdown through the ledger's batch capture."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from reetrace.core.errors import BatchRejected
from reetrace.exportcontrol.drawdown import licence_remaining
from reetrace.exportcontrol.models import Drawdown, RefusedExport
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.models import ExportDeclaration
from tests.exportcontrol.helpers import export, licensed, magnet_lot
from tests.factories.world import build_world

pytestmark = pytest.mark.django_db


def _refused(world, *events) -> str:
    with pytest.raises(BatchRejected) as exc:
        world.capture(world.magnet_maker, *events)
    return exc.value.errors[0].message


def test_a_licensed_export_is_drawn_down(world):
    _, licence = licensed(world)
    lot = magnet_lot(world)
    world.capture(world.magnet_maker, export(1, lot, "200", licence=licence.number))
    (row,) = Drawdown.objects.all()
    assert (row.licence, row.kg, row.event.event_id) == (licence, Decimal("200"), "x-1")
    assert list(licence_remaining(licence).values()) == [Decimal("300")]


def test_two_exports_in_one_batch_share_the_balance(world):
    _, licence = licensed(world)
    lot = magnet_lot(world)
    message = _refused(
        world,
        export(1, lot, "300", licence=licence.number),
        export(2, lot, "300", licence=licence.number),
    )
    assert message == f"licence {licence.number} has 200 kg left; this export needs 300 kg"
    assert not Drawdown.objects.exists()
    world.capture(
        world.magnet_maker,
        export(1, lot, "300", licence=licence.number),
        export(2, lot, "200", licence=licence.number),
    )
    assert list(licence_remaining(licence).values()) == [Decimal("0")]


def test_a_controlled_export_without_a_licence_is_refused_and_recorded(world):
    licensed(world)
    lot = magnet_lot(world)
    message = _refused(world, export(1, lot, "10"))
    assert message.startswith(f"lot {lot} is controlled on 2025-06-02 (sintered NdFeB, Dy 2.10")
    assert message.endswith("the export must cite a licence")
    assert not ExportDeclaration.objects.exists()
    (refused,) = RefusedExport.objects.all()
    assert (refused.event_id, refused.exporter, refused.lot, refused.licence_cited) == (
        "x-1",
        world.magnet_maker.identifier,
        lot,
        "",
    )
    assert refused.codes == ["licence_required"] and "must cite a licence" in refused.reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"licence": "EL-2099-000009"}, "licence 'EL-2099-000009' does not exist"),
        ({"destination": "US"}, "covers destination DE, not US"),
        ({"consignee": "Other GmbH"}, "names consignee 'Motoren GmbH', not 'Other GmbH'"),
        ({"end_user": "Army"}, "names end user 'Motoren GmbH', not 'Army'"),
        ({"day": (5, 5)}, "is valid 2025-05-06 to 2026-05-05, not on 2025-05-05"),
        ({"mass": "501"}, "has 500 kg left; this export needs 501 kg"),
    ],
)
def test_exports_outside_the_licence_are_refused(world, changes, reason):
    _, licence = licensed(world)
    lot = magnet_lot(world)
    changes = {"licence": licence.number} | changes
    event = export(1, lot, changes.pop("mass", "100"), **changes)
    assert reason in _refused(world, event)
    assert RefusedExport.objects.get().reason.endswith(reason)
    assert not Drawdown.objects.exists()


def test_a_licence_is_valid_through_its_last_day_and_not_the_day_after(world):
    _, licence = licensed(world, valid_until=date(2025, 6, 30))
    lot = magnet_lot(world)
    world.capture(world.magnet_maker, export(1, lot, "100", licence=licence.number, day=(6, 30)))
    message = _refused(world, export(2, lot, "100", licence=licence.number, day=(7, 1)))
    assert message == (
        f"licence {licence.number} is valid 2025-05-06 to 2025-06-30, not on 2025-07-01"
    )
    assert RefusedExport.objects.get().event_id == "x-2"
    assert list(licence_remaining(licence).values()) == [Decimal("400")]


def test_a_licence_for_another_form_does_not_cover_the_item(world):
    _, licence = licensed(world)
    lot = magnet_lot(world, composition={"Nd": "0.28", "Tb": "0.01"})
    assert "does not cover a sintered_ndfeb item controlled under 1C904.x" in _refused(
        world, export(1, lot, "10", licence=licence.number)
    )


def test_a_general_licence_covers_any_controlled_item_up_to_its_cap(world):
    _, licence = licensed(world, kind="general", kg="100")
    lot = magnet_lot(world, composition={"Nd": "0.28", "Tb": "0.01"})
    world.capture(world.magnet_maker, export(1, lot, "60", licence=licence.number))
    assert licence_remaining(licence) == {None: Decimal("40")}
    assert "has 40 kg left" in _refused(world, export(2, lot, "41", licence=licence.number))


def test_uncontrolled_exports_are_unaffected(world):
    lot = magnet_lot(world, composition={"Nd": "0.31"})
    world.capture(world.magnet_maker, export(1, lot, "10", licence="anything"))
    assert ExportDeclaration.objects.count() == 1
    assert not Drawdown.objects.exists()
    assert not RefusedExport.objects.exists()


def test_a_voided_export_gives_its_kg_back(world):
    _, licence = licensed(world)
    lot = magnet_lot(world)
    world.capture(world.magnet_maker, export(1, lot, "500", licence=licence.number))
    world.capture(
        world.magnet_maker,
        {
            "event_id": "void-x-1",
            "kind": "correct",
            "event_time": "2025-06-03T09:00:00+08:00",
            "corrects": "x-1",
            "action": "void",
            "reason": "shipment cancelled",
        },
    )
    assert list(licence_remaining(licence).values()) == [Decimal("500")]


def _void(target: str) -> dict:
    return {
        "event_id": f"void-{target}",
        "kind": "correct",
        "event_time": "2025-06-02T11:00:00+08:00",
        "corrects": target,
        "action": "void",
        "reason": "declaration entered twice",
    }


def _stock(world, lot: str) -> Decimal:
    held = world.client(world.magnet_maker).get(
        f"/api/v1/enterprises/{world.magnet_maker.identifier}/stock"
    )
    return next(Decimal(row["kg"]) for row in held.json() if row["lot"] == lot)


def test_an_export_voided_and_declared_again_in_one_batch_cannot_pass_the_licence(world):
    """Across batches a void gives its kg back (customs sees both crossings:
    licence_overdrawn); inside one batch the void does not, so a batch cannot spend a
    licence twice on the same lot."""
    _, licence = licensed(world)
    lot = magnet_lot(world)
    client = world.client(world.magnet_maker)
    batch = [
        export(1, lot, "500", licence=licence.number),
        _void("x-1"),
        export(2, lot, "500", licence=licence.number, day=(6, 3)),
    ]
    answer = client.post("/api/v1/events", {"events": batch}, content_type="application/json")
    assert answer.status_code == 400, answer.content
    (error,) = answer.json()["errors"]
    assert (error["index"], error["field"], error["code"]) == (2, "licence", "licence_exhausted")
    assert error["message"] == f"licence {licence.number} has 0 kg left; this export needs 500 kg"
    assert list(licence_remaining(licence).values()) == [Decimal("500")]
    assert not ExportDeclaration.objects.exists() and not Drawdown.objects.exists()
    assert _stock(world, lot) == Decimal("1000")

    batch[2] = export(2, lot, "200", licence=licence.number, day=(6, 3))
    batch[0] = export(1, lot, "300", licence=licence.number)
    answer = client.post("/api/v1/events", {"events": batch}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert list(licence_remaining(licence).values()) == [Decimal("300")]
    assert _stock(world, lot) == Decimal("800")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_exports_cannot_overdraw_a_licence(postgres_only):
    world = build_world()
    _, licence = licensed(world, kg="100")
    lot = magnet_lot(world)
    actor = world.user_for(world.magnet_maker)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def spend(n: int) -> None:
        start.wait()
        try:
            batch_capture(actor=actor, items=[export(n, lot, "30", licence=licence.number)])
            outcomes.append("ok")
        except BatchRejected as exc:
            outcomes.append(exc.errors[0].message)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3, outcomes
    assert [o for o in outcomes if o != "ok"] == [
        f"licence {licence.number} has 10 kg left; this export needs 30 kg"
    ]
    assert list(licence_remaining(licence).values()) == [Decimal("10")]
    assert RefusedExport.objects.count() == 1
