"""Material without its mirror record (checks/mirrors.py): a supplier's lot booked in
beyond what the supplier shipped, and an export that comes back as an import."""

from __future__ import annotations

import pytest

from reetrace.compliance.models import Alert
from reetrace.registry.models import EnterpriseGroup
from tests.compliance.helpers import ore_at_separator, run
from tests.factories.world import at, code

pytestmark = pytest.mark.django_db


def _gain(event_id: str, kg: str, *, reason: str = "stock_count", lot: int = 1, month=1) -> dict:
    return {
        "event_id": event_id,
        "kind": "adjust",
        "event_time": at(month, 20),
        "lot": code(lot),
        "mass": kg,
        "reason": reason,
        "note": "second delivery from Baotou Mining",
    }


def test_a_delivery_booked_in_beyond_the_suppliers_shipment_is_named(world):
    ore_at_separator(world, "40000")
    world.capture(world.separator, _gain("a-1", "12000", reason="other"))
    run(world, "supplier_never_shipped")
    (alert,) = Alert.objects.filter(rule="supplier_never_shipped")
    assert (alert.enterprise, f"{alert.period:%Y-%m}", alert.lots) == (
        world.separator,
        "2025-01",
        [code(1)],
    )
    assert f"came from {world.miner.identifier}, whose books show 40000 kg shipped" in (
        alert.explanation
    )
    assert "received 40000 kg, then booked a further 12000 kg" in alert.explanation
    assert "'second delivery from Baotou Mining'" in alert.explanation
    assert alert.figures["added_kg"] == "12000.000000"
    assert alert.events == ["s1", "r1", "a-1"]


def test_a_count_within_the_tolerance_and_a_count_of_ones_own_lot_are_not_judged(world):
    ore_at_separator(world, "40000")
    world.capture(world.separator, _gain("a-1", "300"))  # 0.75 % of what it received
    world.capture(world.miner, {**_gain("a-2", "5000"), "event_time": at(1, 3)})
    run(world, "supplier_never_shipped")
    assert not Alert.objects.filter(rule="supplier_never_shipped").exists()
    world.capture(world.separator, _gain("a-3", "200"))  # 1.25 % together
    run(world, "supplier_never_shipped")
    assert Alert.objects.filter(rule="supplier_never_shipped").count() == 1


def test_the_alert_is_dated_by_the_gain_that_went_past_the_tolerance(world):
    ore_at_separator(world, "40000")
    world.capture(world.separator, _gain("a-1", "100"), _gain("a-2", "8000", month=3))
    run(world, "supplier_never_shipped")
    (alert,) = Alert.objects.filter(rule="supplier_never_shipped")
    assert f"{alert.period:%Y-%m}" == "2025-03"
    assert "booked a further 8100 kg" in alert.explanation


def _magnets(kg: str = "1000") -> dict:
    return {
        "event_id": "imp-1",
        "kind": "import",
        "event_time": at(2, 1),
        "customs_declaration": "CDI-00000001",
        "origin_country": "JP",
        "lot": {
            "code": code(50),
            "product": "MAGNET-NDFEB-SINTERED",
            "mass": kg,
            "composition": {"Nd": "0.31", "Pr": "0.01"},
        },
    }


def _export(kg: str = "1000") -> dict:
    return {
        "event_id": "x-1",
        "kind": "export",
        "event_time": at(2, 10),
        "lot": code(50),
        "mass": kg,
        "customs_declaration": "CDE-00000001",
        "hs_code": "8505111000",
        "destination": "DE",
        "consignee": "Motoren GmbH",
        "end_user": "Motoren GmbH",
        "fob_value": "30000",
        "currency": "USD",
    }


def _back(importer_lot: int, country: str, kg: str, composition=None, month: int = 4) -> dict:
    return {
        "event_id": f"imp-back-{importer_lot}",
        "kind": "import",
        "event_time": at(month, 15),
        "customs_declaration": f"CDI-0000{importer_lot:04d}",
        "origin_country": country,
        "lot": {
            "code": code(importer_lot),
            "product": "MAGNET-NDFEB-SINTERED",
            "mass": kg,
            "composition": composition or {"Nd": "0.3105", "Pr": "0.0100"},
        },
    }


def test_an_export_that_comes_back_from_its_destination_is_a_round_trip(world):
    world.capture(world.magnet_maker, _magnets(), _export())
    world.capture(world.magnet_maker, _back(60, "DE", "985"))
    run(world, "export_reimported")
    (alert,) = Alert.objects.filter(rule="export_reimported")
    assert (alert.enterprise, f"{alert.period:%Y-%m}", alert.lots) == (
        world.magnet_maker,
        "2025-04",
        [code(60), code(50)],
    )
    assert "from DE on 2025-04-15 under CDI-00000060; 64 days before, it exported lot" in (
        alert.explanation
    )
    assert alert.events == ["x-1", "imp-back-60"]


@pytest.mark.parametrize(
    "country, kg, composition, month",
    [
        ("US", "985", None, 4),  # from a country the export never went to
        ("DE", "900", None, 4),  # 10 % lighter
        ("DE", "985", {"Nd": "0.3000", "Pr": "0.0100"}, 4),  # another make
        ("DE", "985", None, 9),  # more than 180 days later
    ],
)
def test_an_import_unlike_the_export_is_not_a_round_trip(world, country, kg, composition, month):
    world.capture(world.magnet_maker, _magnets(), _export())
    world.capture(world.magnet_maker, _back(60, country, kg, composition, month))
    run(world, "export_reimported")
    assert not Alert.objects.filter(rule="export_reimported").exists()


def test_an_enterprise_of_the_exporters_group_re_importing_is_named_with_it(world):
    group = EnterpriseGroup.objects.create(code="GRP", name_en="Group", name_zh="集团")
    for member in (world.magnet_maker, world.metal_maker):
        member.group = group
        member.save()
    world.capture(world.magnet_maker, _magnets(), _export())
    world.capture(world.metal_maker, _back(60, "DE", "1010"))
    run(world, "export_reimported")
    (alert,) = Alert.objects.filter(rule="export_reimported")
    assert alert.enterprise == world.metal_maker
    assert f"{world.magnet_maker.identifier}, of its group, exported lot {code(50)}" in (
        alert.explanation
    )
