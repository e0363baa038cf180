"""Differential tests: Spark over the lake equals the database, row for row.

A synthetic year at the `tiny` scale (the smallest that exercises every ported
rule with seed 1; `recycling_volume` is given a capacity to fire there, and
`volume_drop`, which judges mines only, a one-month history: tiny mines mine in a
few months of the year) is loaded,
exported, and judged twice: by the database and by Spark `local[2]`. The balance
lines, the recomputed flow summary (integer micrograms), every alert (rule,
fingerprint, severity, enterprise, month, elements, figures, lots, events,
explanation) and the reconciliation report against the partner file must be
identical, with no tolerance.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from reetrace.compliance.engines import engine_source
from reetrace.compliance.mass_balance import balance_report
from reetrace.compliance.models import Alert, DetectionRun
from reetrace.compliance.services.detection import detect
from reetrace.core.errors import ReetraceError
from reetrace.lake.export import lake_export
from reetrace.lake.spark.source import PORTED
from reetrace.lake.storage import lake_open
from reetrace.ledger.choices import Bucket
from reetrace.ledger.models import MonthlyFlow
from reetrace.ledger.rules import CHINA_TIME
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from reetrace.reconciliation.services.datasets import dataset_load
from reetrace.synth.dataset import produce

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("spark")]

AS_OF = datetime(2026, 3, 1, 12, tzinfo=CHINA_TIME)
OVERRIDES = {
    "recycling_volume": {"capacity_reo_kg_per_month": 1000.0},
    "volume_drop": {"history_months": 1, "min_median_reo_kg": 0.0},
}


def _alerts() -> list[tuple]:
    return sorted(
        (
            a.rule,
            a.fingerprint,
            a.severity,
            a.enterprise_id,
            a.period,
            a.elements,
            a.figures,
            a.lots,
            a.events,
            a.explanation,
            a.shared_with_enterprise,
        )
        for a in Alert.objects.all()
    )


def test_spark_equals_the_database_on_a_synthetic_year(spark, tmp_path):
    produce(scale="tiny", seed=1, out=tmp_path / "data", load=True)
    lake_export(lake_open(str(tmp_path / "lake"), create=True))
    source = engine_source("spark", str(tmp_path / "lake"))

    flows = sorted(
        MonthlyFlow.objects.filter(bucket=Bucket.STOCK).values_list(
            "holder_id", "period", "element", "flow", "metal_ug"
        )
    )
    recomputed = source.flow_totals(None, enterprise_ids=None, element=None)
    assert [r for r in recomputed if r[4] != 0] == [f for f in flows if f[4] != 0]
    assert len(flows) > 1000
    assert balance_report(enterprise_ids=None, source=source) == balance_report(enterprise_ids=None)

    rules = sorted(PORTED)
    detect(rules=rules, as_of=AS_OF, overrides=OVERRIDES, full=True)
    by_database = _alerts()
    assert {a[0] for a in by_database} == set(rules)  # every ported rule fired
    Alert.objects.all().delete()
    DetectionRun.objects.all().delete()
    run = detect(rules=rules, as_of=AS_OF, overrides=OVERRIDES, full=True, source=source)
    assert run.status == "done"
    assert _alerts() == by_database

    dataset = dataset_load(
        actor=None,
        content=(tmp_path / "data" / "partner_imports.csv").read_bytes(),
        filename="partner_imports.csv",
        format="comext",
        vintage=date(2026, 3, 1),
    )
    for scope in (Scope(), Scope(by="group", level="eu27", start=date(2025, 4, 1))):
        ours = comparison_report(dataset=dataset, actor=None, scope=scope)
        assert ours["cells"]
        assert comparison_report(dataset=dataset, actor=None, scope=scope, source=source) == ours


def test_spark_refuses_a_stale_lake_and_an_unported_rule(spark, chain, tmp_path):
    lake = str(tmp_path / "lake")
    call_command("lake", "export", "--out", lake)
    source = engine_source("spark", lake)
    with pytest.raises(ReetraceError, match="price_below_value not available on the spark engine"):
        detect(rules=["price_below_value"], as_of=AS_OF, source=source)
    chain.capture(
        chain.magnet_maker,
        {
            "event_id": "c-use",
            "kind": "correct",
            "event_time": "2025-03-20T09:00:00+08:00",
            "corrects": "s-use",
            "action": "void",
            "reason": "never left",
        },
    )
    with pytest.raises(CommandError, match="covers chain position 20, the ledger is at 21"):
        call_command("balance", "--engine", "spark", "--lake", lake)
    call_command("lake", "export", "--out", lake)
    call_command("detect", "--engine", "spark", "--lake", lake, "--rules", "mass_balance")
    assert DetectionRun.objects.get().rules == ["mass_balance"]
