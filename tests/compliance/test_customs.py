"""Customs records: `reetrace import-customs` and the import_declaration match."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reetrace.compliance.models import Alert, CustomsDeclaration
from tests.compliance.helpers import imported, run

pytestmark = pytest.mark.django_db

HEADER = "declaration,flow,enterprise,country,product,kg,date,fob_usd,consignee,arrival_country\n"


def customs_file(tmp_path, *rows: str):
    path = tmp_path / "customs.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def record(world, number: str, *, kg: str = "20000", day: str = "2025-01-04", who=None):
    who = who or world.separator
    return f"{number},import,{who.identifier},MM,MIXED-OXIDE-MHREE,{kg},{day},,,"


def alerted() -> list[str]:
    return sorted(a.events[0] for a in Alert.objects.filter(rule="import_declaration"))


def test_import_customs_loads_a_file_once(world, tmp_path, capsys):
    path = customs_file(
        tmp_path,
        record(world, "I2025001000000001"),
        f"E2025001000000001,export,{world.magnet_maker.identifier},DE,MAGNET-NDFEB-SINTERED,"
        "500.5,2025-06-02,61000.00,Motoren GmbH,PL",
    )
    call_command("import-customs", str(path))
    assert "2 customs declarations" in capsys.readouterr().out
    export = CustomsDeclaration.objects.get(flow="export")
    assert export.arrival_country == "PL" and export.kg == Decimal("500.5")
    call_command("import-customs", str(path))
    assert "0 customs declarations" in capsys.readouterr().out
    assert CustomsDeclaration.objects.count() == 2


def test_import_customs_refuses_a_bad_row(world, tmp_path):
    path = customs_file(tmp_path, "X1,sideways,,MM,,1,2025-01-01,,,")
    with pytest.raises(CommandError, match="missing enterprise"):
        call_command("import-customs", str(path))
    assert not CustomsDeclaration.objects.exists()


def test_imports_without_or_against_their_customs_record_fire(world, tmp_path):
    call_command(
        "import-customs",
        str(
            customs_file(
                tmp_path,
                record(world, "I2025001000000001"),
                record(world, "I2025001000000002", kg="15000"),
                record(world, "I2025001000000003", who=world.metal_maker),
                record(world, "I2025001000000004", day="2025-03-01"),
            )
        ),
    )
    world.capture(
        world.separator,
        imported("imp-ok", 60, "I2025001000000001"),
        imported("imp-kg", 61, "I2025001000000002"),
        imported("imp-who", 62, "I2025001000000003"),
        imported("imp-late", 63, "I2025001000000004"),
        imported("imp-none", 64, "I2025001000000009"),
    )
    run(world, "import_declaration")
    assert alerted() == ["imp-kg", "imp-late", "imp-none", "imp-who"]
    texts = {a.events[0]: a.explanation for a in Alert.objects.filter(rule="import_declaration")}
    assert "no record" in texts["imp-none"]
    assert "15000" in texts["imp-kg"]


def test_import_matching_its_record_within_tolerance_does_not_fire(world, tmp_path):
    call_command(
        "import-customs",
        str(
            customs_file(tmp_path, record(world, "I2025001000000001", kg="20050", day="2025-01-10"))
        ),
    )
    world.capture(world.separator, imported("imp-ok", 60, "I2025001000000001"))
    run(world, "import_declaration")
    assert alerted() == []
