"""The monthly export summary (what the export statistics read) is what the export
declarations in force give: capture moves it batch by batch, voids and replacements
included, the rebuild from the declarations gives the same rows, the statistics read
it, and verify_chain names a change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import MonthlyExport
from reetrace.ledger.monthly_exports import exports_rebuild
from reetrace.trace.selectors import export_summary
from tests.factories.chain import MAGNET, export
from tests.factories.world import at

pytestmark = pytest.mark.django_db
MARCH = date(2025, 3, 1)
HS = "8505111000"


def summary() -> dict[tuple, Decimal]:
    return {
        (r.period, r.destination, r.hs_code, r.exporter_id): r.kg
        for r in MonthlyExport.objects.all()
    }


def _correct(event_id: str, target: str, action: str, **replacement) -> dict:
    item = {
        "event_id": event_id,
        "kind": "correct",
        "event_time": at(3, 14),
        "corrects": target,
        "action": action,
        "reason": "declared twice",
    }
    return item | ({"replacement": replacement} if replacement else {})


def corrected_exports(world) -> None:
    """x-1 (1,500 kg to DE) stands; x-2 (100 kg to DE) is replaced by 80 kg in the
    batch that voids x-3 (50 kg to the US)."""
    world.capture(
        world.magnet_maker, export("x-2", MAGNET, "100", 13), export("x-3", MAGNET, "50", 13, "US")
    )
    world.capture(
        world.magnet_maker,
        _correct("fix-x-2", "x-2", "replace", mass="80"),
        _correct("void-x-3", "x-3", "void"),
    )


def test_capture_keeps_the_declarations_in_force(chain):
    corrected_exports(chain)
    maker = chain.magnet_maker.pk
    assert summary() == {
        (MARCH, "DE", HS, maker): Decimal("1580"),
        (MARCH, "US", HS, maker): Decimal("0"),
    }
    cells = export_summary(start=MARCH, end=MARCH)
    assert [(c["destination"], c["kg"]) for c in cells] == [("DE", Decimal("1580"))]


def test_the_rebuild_derives_what_capture_kept(chain):
    corrected_exports(chain)
    maintained = {key: kg for key, kg in summary().items() if kg}
    MonthlyExport.objects.all().delete()
    exports_rebuild()
    assert summary() == maintained


def test_a_cell_of_fewer_exporters_than_the_threshold_is_pooled(chain):
    corrected_exports(chain)
    [cell] = export_summary(start=MARCH, end=MARCH, min_exporters=2)
    assert (cell["destination"], cell["kg"]) == ("**", Decimal("1580"))


def test_verify_chain_names_a_changed_export_row(chain):
    corrected_exports(chain)
    assert chain_verify()[1] is None
    row = MonthlyExport.objects.get(destination="DE")
    MonthlyExport.objects.filter(pk=row.pk).update(kg=Decimal("1581"))
    found = chain_verify()[1]
    assert found is not None and (found.table, found.field) == ("ledger_monthlyexport", "kg")
    assert "1581000000 mg" in found.reason and "1580000000 mg" in found.reason
