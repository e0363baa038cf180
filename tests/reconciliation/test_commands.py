"""`reetrace reconcile` and `reetrace import-rates`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from reetrace.reconciliation.models import ExchangeRate
from tests.reconciliation.helpers import SCENARIO, comtrade_csv, export_magnets, injected_rows


@pytest.fixture
def partner_file(world, tmp_path):
    export_magnets(world, SCENARIO)
    path = tmp_path / "partner.csv"
    path.write_text(comtrade_csv(injected_rows()))
    return path


def test_reconcile_prints_the_grid_and_the_parameters(partner_file):
    out = StringIO()
    call_command("reconcile", "--partner", str(partner_file), "--format", "comtrade", stdout=out)
    text = out.getvalue()
    assert "850511" in text and "TOTAL" in text
    assert "timing.lag_days" in text and "valuation.cif_uplift" in text


def test_reconcile_writes_a_workbook(partner_file, tmp_path):
    target = tmp_path / "report.xlsx"
    call_command(
        "reconcile", "--partner", str(partner_file), "--format", "comtrade", "--by", "group",
        "--xlsx", str(target), stdout=StringIO(),
    )  # fmt: skip
    book = load_workbook(target)
    assert book.sheetnames == ["cells", "grid", "parameters"]
    header = [c.value for c in book["cells"][1]]
    assert header[:3] == ["product", "country", "month"] and "unexplained_kg" in header


def test_reconcile_reports_a_bad_file(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "reporterISO,partnerISO,flowCode,cmdCode,period,netWgt,cifvalue\nZZZ,CHN,M,850511,202501,1,1\n"
    )
    with pytest.raises(CommandError, match="line 2"):
        call_command("reconcile", "--partner", str(path), "--format", "comtrade")


@pytest.mark.django_db
def test_import_rates_replaces_months(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("month,currency,units_per_usd,approximate,source\n2025-01,EUR,0.9600,no,ECB\n")
    call_command("import-rates", str(path), stdout=StringIO())
    rate = ExchangeRate.objects.get(month="2025-01-01", currency="EUR")
    assert (str(rate.units_per_usd), rate.approximate, rate.source) == ("0.960000", False, "ECB")
    assert ExchangeRate.objects.filter(approximate=True).count() == 95


@pytest.mark.django_db
def test_import_rates_refuses_a_bad_row(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("month,currency,units_per_usd,approximate,source\n2025-01,GBP,0.8,no,x\n")
    with pytest.raises(CommandError, match="GBP"):
        call_command("import-rates", str(path))
