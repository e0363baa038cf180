"""Export rules on crafted ledgers: each must fire, and a near miss must not."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from reetrace.compliance.models import Alert, CustomsDeclaration
from reetrace.exportcontrol.models import Application, ApplicationItem
from reetrace.ledger.models import Lot
from reetrace.registry.models import EnterpriseRoleGrant
from tests.compliance.helpers import run
from tests.exportcontrol.helpers import cst, export, licensed, magnet_lot
from tests.factories.accounts import UserFactory
from tests.factories.registry import EnterpriseFactory
from tests.factories.world import at, code

pytestmark = pytest.mark.django_db

PLAIN_MAGNET = {"Nd": "0.29", "Pr": "0.01"}  # no Dy/Tb: not a controlled item


def alerts(rule: str) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule).order_by("pk"))


def customs_export(number: str, exporter, *, arrival: str, consignee: str = "Motoren GmbH"):
    return CustomsDeclaration.objects.create(
        number=number,
        flow="export",
        declarant=exporter.identifier,
        country="DE",
        arrival_country=arrival,
        consignee=consignee,
        product="MAGNET-NDFEB-SINTERED",
        kg=Decimal("500"),
        date=cst(2025, 6, 2).date(),
    )


# -- licence_mismatch ----------------------------------------------------------------


@pytest.fixture
def licensed_export(world):
    lot = magnet_lot(world)
    _, licence = licensed(world)
    world.capture(world.magnet_maker, export(1, lot, "500", licence=licence.number))
    return lot


def test_licensed_export_arriving_in_another_country_fires(world, licensed_export):
    customs_export("CD-1", world.magnet_maker, arrival="RU")
    run(world, "licence_mismatch")
    [alert] = alerts("licence_mismatch")
    assert alert.enterprise == world.magnet_maker
    assert alert.period.month == 6
    assert alert.lots == [licensed_export] and alert.events == ["x-1"]
    assert alert.figures["expected"] == "DE" and alert.figures["observed"] == "RU"


def test_licensed_export_to_another_consignee_fires(world, licensed_export):
    customs_export("CD-1", world.magnet_maker, arrival="DE", consignee="Front Trading FZE")
    run(world, "licence_mismatch")
    [alert] = alerts("licence_mismatch")
    assert "Front Trading FZE" in alert.explanation


def test_licensed_export_arriving_as_declared_does_not_fire(world, licensed_export):
    customs_export("CD-1", world.magnet_maker, arrival="DE", consignee="MOTOREN  gmbh")
    run(world, "licence_mismatch")
    assert not alerts("licence_mismatch")


def test_export_without_customs_record_is_not_judged(world, licensed_export):
    run(world, "licence_mismatch")
    assert not alerts("licence_mismatch")


# -- transshipment -------------------------------------------------------------------


@pytest.fixture
def trader(world):
    firm = EnterpriseFactory(name_en="Shanghai Trading", roles=["trader", "exporter"])
    UserFactory(username="user-trading", role="enterprise", enterprise=firm)
    return firm


def refusal(world, lot: str | None, *, decided=(5, 10), kg: str = "500") -> Application:
    decided_at = cst(2025, *decided, hour=16)
    application = Application.objects.create(
        number=f"APP-{decided[0]}-{decided[1]}",
        applicant=world.magnet_maker,
        created_by=world.users["licensing_officer"],
        state="rejected",
        consignee_name="Motoren GmbH",
        consignee_country="RU",
        end_user_name="Motoren GmbH",
        end_user_country="RU",
        end_use="motors",
        destination="RU",
        contract_number="C-1",
        created_at=decided_at - timedelta(days=30),
        decided_at=decided_at,
    )
    ApplicationItem.objects.create(
        application=application,
        position=0,
        product_code="MAGNET-NDFEB-SINTERED",
        form="magnet",
        composition=PLAIN_MAGNET,
        lot=Lot.objects.filter(code=lot).first() if lot else None,
        kg=Decimal(kg),
        value=Decimal(0),
        currency="USD",
    )
    return application


def via_trader(world, trader, lot: str, *, ship=(5, 15), export_day=(5, 25), n: int = 1):
    world.capture(
        world.magnet_maker,
        {
            "event_id": f"s-{n}",
            "kind": "ship",
            "event_time": at(*ship),
            "lot": lot,
            "mass": "500",
            "buyer": trader.identifier,
            "unit_price": "150.00",
            "currency": "CNY",
            "contract": f"C-s-{n}",
        },
    )
    world.capture(
        trader,
        {
            "event_id": f"r-{n}",
            "kind": "receive",
            "event_time": at(ship[0], ship[1] + 2),
            "shipment": f"s-{n}",
            "mass": "500",
        },
    )
    world.capture(
        trader,
        export(n, lot, "500", day=export_day, destination="AE", consignee="Gulf Magnets FZE",
               end_user="Gulf Magnets FZE"),
    )  # fmt: skip


def plain_lot(world, n: int = 70) -> str:
    return magnet_lot(world, n, kg="500", composition=PLAIN_MAGNET)


def test_refused_goods_exported_by_a_trader_soon_after_fire(world, trader):
    lot = plain_lot(world)
    application = refusal(world, lot)
    via_trader(world, trader, lot)
    run(world, "transshipment")
    [alert] = alerts("transshipment")
    assert alert.enterprise == trader
    assert alert.period.month == 5
    assert alert.lots == [lot]
    assert alert.events == ["s-1", "r-1", "x-1"]
    assert alert.figures["refused_application"] == application.number
    assert alert.figures["original_exporter"] == world.magnet_maker.identifier
    assert "third country" in alert.explanation


def test_refusal_naming_no_lot_matches_product_and_kg(world, trader):
    lot = plain_lot(world)
    refusal(world, None, kg="502")
    via_trader(world, trader, lot)
    run(world, "transshipment")
    assert len(alerts("transshipment")) == 1


def test_shipment_to_a_trader_long_after_the_refusal_does_not_fire(world, trader):
    lot = plain_lot(world)
    refusal(world, lot, decided=(3, 10))
    via_trader(world, trader, lot, ship=(5, 15), export_day=(5, 25))
    run(world, "transshipment")
    assert not alerts("transshipment")


def test_other_goods_or_a_non_trader_buyer_do_not_fire(world, trader):
    lot = plain_lot(world)
    other = plain_lot(world, 71)
    refusal(world, other)
    via_trader(world, trader, lot)
    EnterpriseRoleGrant.objects.filter(enterprise=trader, role="trader").delete()
    refusal(world, lot, decided=(5, 11))
    run(world, "transshipment")
    assert not alerts("transshipment")
    assert code(70) == lot
