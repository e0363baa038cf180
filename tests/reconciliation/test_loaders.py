"""Partner files: accepted column names, skipped rows, and errors by line and column
with nothing half-loaded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.core.errors import BatchRejected
from reetrace.reconciliation.models import PartnerDataset, PartnerRecord
from tests.reconciliation.helpers import load

COMEXT = (
    "DECLARANT,PARTNER,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG\n"
    "004,720,85051110,1,202501,105000,2000\n"  # GEONOM numbers: Germany, China
    "EL,CN,72029980,1,202501,5000,100\n"  # Eurostat's EL = Greece
    "DE,US,85051110,1,202501,1,1\n"  # another origin: skipped
    "DE,CN,85051110,2,202501,1,1\n"  # export flow: skipped
    "DE,CN,01012100,1,202501,1,1\n"  # horses: outside the lines
    "DE,CN,85051110,1,202552,1,1\n"  # annual total: skipped
    "DE,CN,TOTAL,1,202501,1,1\n"
)


@pytest.mark.django_db
def test_comext_rows_are_read_and_the_rest_counted():
    dataset = load(COMEXT, "comext")
    records = list(dataset.records.order_by("line"))
    assert [(r.reporter, r.hs6, r.group, r.kg) for r in records] == [
        ("DE", "850511", "permanent_magnets", Decimal(2000)),
        ("GR", "720299", "magnet_alloys", Decimal(100)),
    ]
    assert records[0].currency == "EUR" and records[0].value_basis == "cif"
    assert dataset.rows_read == 7 and dataset.rows_loaded == 2
    assert dataset.skipped == {
        "partner other than CN": 1,
        "export flow": 1,
        "product outside the rare-earth lines": 1,
        "annual total": 1,
        "aggregate product code": 1,
    }
    assert any("85051110" in note for note in dataset.notes)
    assert dataset.source == "Eurostat Comext"


@pytest.mark.django_db
def test_the_same_file_and_vintage_is_the_same_dataset():
    first, again = load(COMEXT, "comext"), load(COMEXT, "comext")
    assert first.pk == again.pk
    assert PartnerRecord.objects.count() == 2


@pytest.mark.django_db
def test_comtrade_weights_units_and_values():
    text = (
        "reporterCode;partnerCode;flowCode;cmdCode;period;netWgt;grossWgt;qty;qtyUnitAbbr;"
        "cifvalue;primaryValue;fobvalue\n"
        "276;156;M;850511;202503;1000;;;;52000;;\n"
        "392;156;M;850511;202503;;1040;;;;51000;\n"
        "842;156;M;280530;202503;;;2;t;;;99000\n"
        "842;156;RX;280530;202503;1;;;;1;;\n"
    )
    dataset = load(text)
    rows = [
        (r.reporter, r.kg, r.weight_basis, r.value, r.value_basis)
        for r in dataset.records.order_by("line")
    ]
    assert rows == [
        ("DE", Decimal(1000), "net", Decimal(52000), "cif"),
        ("JP", Decimal(1040), "gross", Decimal(51000), "cif"),
        ("US", Decimal(2000), "net", Decimal(99000), "fob"),
    ]
    assert dataset.skipped == {"re-export flow": 1}


@pytest.mark.django_db
def test_errors_name_line_and_column_and_nothing_is_loaded():
    text = (
        "reporterISO,partnerISO,flowCode,cmdCode,period,qty,qtyUnitAbbr,cifvalue\n"
        "DEU,CHN,M,850511,202501,10,kg,100\n"
        "XXX,CHN,M,850511,202501,10,kg,100\n"
        "DEU,CHN,Q,850511,202501,10,kg,100\n"
        "DEU,CHN,M,8505AB,202501,10,kg,100\n"
        "DEU,CHN,M,850511,202513,10,kg,100\n"
        "DEU,CHN,M,850511,202501,10,pieces,100\n"
        "DEU,CHN,M,850511,202501,10,kg,-5\n"
    )
    with pytest.raises(BatchRejected) as caught:
        load(text)
    found = [(e.index, e.field, str(e.code)) for e in caught.value.errors]
    assert found == [
        (3, "reporterISO", "country_invalid"),
        (4, "flowCode", "invalid"),
        (5, "cmdCode", "invalid"),
        (6, "period", "invalid"),
        (7, "qtyUnitAbbr", "unknown_unit"),
        (8, "cifvalue", "invalid"),
    ]
    assert all(e.message.startswith(f"line {e.index}:") for e in caught.value.errors)
    assert not PartnerDataset.objects.exists() and not PartnerRecord.objects.exists()


@pytest.mark.django_db
def test_a_missing_column_is_named():
    with pytest.raises(BatchRejected) as caught:
        load("DECLARANT,PARTNER,PRODUCT_NC,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG\n", "comext")
    assert [e.field for e in caught.value.errors] == ["flow"]


@pytest.mark.django_db
def test_member_states_and_the_eu27_total_are_not_mixed():
    text = (
        "DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG\n"
        "DE,CN,85051110,1,202501,10,1\n"
        "EU27_2020,CN,85051110,1,202501,10,1\n"
    )
    with pytest.raises(BatchRejected) as caught:
        load(text, "comext")
    assert caught.value.errors[0].index == 3
    assert not PartnerDataset.objects.exists()


@pytest.mark.django_db
def test_national_totals_by_group_in_tonnes():
    text = (
        "month,product_group,destination,tonnes\n"
        "2025-01,permanent_magnets,DE,1.2\n"
        "2025-01,rare-earth permanent magnets,US,0.5\n"
    )
    dataset = load(text, "national")
    assert [(r.group, r.reporter, r.kg) for r in dataset.records.order_by("line")] == [
        ("permanent_magnets", "DE", Decimal(1200)),
        ("permanent_magnets", "US", Decimal(500)),
    ]
