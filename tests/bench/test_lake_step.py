"""The bench's lake step: the year exported to Parquet beside a bare dump of the same rows."""

from __future__ import annotations

import pytest

from reetrace.bench.report import report_rows
from reetrace.bench.steps.lake import lake
from reetrace.synth.dataset import produce

pytestmark = pytest.mark.django_db


def test_lake_step_exports_the_year_beside_a_bare_copy(tmp_path, settings):
    produce(scale="tiny", seed=3, out=tmp_path / "data", load=True)
    settings.REETRACE_VAR_DIR = tmp_path / "var"
    figures = lake()
    # every row of every lake table, once in Parquet and once through the bare baseline
    assert figures["rows"] == figures["copy_rows"] > 10_000
    assert figures["bytes"] > 0 and figures["rows_per_s"] > 0 and figures["ratio"] > 0
    rows = report_rows({"steps": {"lake": figures}})
    assert rows[0][0].startswith("lake export, Parquet") and "rows/s" in rows[0][1]
