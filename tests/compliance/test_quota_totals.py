"""The quota table's totals (`quota_totals`, read from the quota draw summary capture
keeps) are what the quota check accumulates event by event (`quota_uses`), voided
mining and runs included, so the table's status and the overrun alerts agree; the
summary is what its rebuild derives, and verify_chain names a change to it."""

from __future__ import annotations

import json

import pytest

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.compliance.checks.base import Window
from reetrace.compliance.checks.quotas import COLUMNS, quota_totals, quota_uses
from reetrace.compliance.models import Alert
from reetrace.compliance.selectors import quota_use
from reetrace.compliance.services.detection import detect
from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import QuotaDraw
from reetrace.ledger.quota_draws import draws_rebuild
from reetrace.registry.models import Quota
from reetrace.synth.dataset import produce
from reetrace.synth.demo import demo_users
from tests.compliance.helpers import ore_at_separator, run, separation, when
from tests.factories.registry import QuotaFactory
from tests.factories.world import at, mine_event

pytestmark = pytest.mark.django_db


def _accumulated(quota_ids: list[int], as_of) -> dict[int, dict[str, float]]:
    """The check's own sums: every event's use per column, added up."""
    sums: dict[int, dict[str, float]] = {}
    for quota_id, per_event in quota_uses(quota_ids, Window(None, None, as_of)).items():
        sums[quota_id] = {c: sum(use.reo[c] for use in per_event.values()) for c in COLUMNS}
    return sums


def _assert_same(totals, accumulated) -> None:
    assert {q for q, t in totals.items() if any(t.values())} == set(accumulated)
    for quota_id, columns in accumulated.items():
        for column in COLUMNS:
            assert totals[quota_id][column] == pytest.approx(columns[column], rel=1e-9, abs=1e-6)


def _void(event_id: str, target: str) -> dict:
    return {
        "event_id": event_id,
        "kind": "correct",
        "event_time": at(2, 8),
        "corrects": target,
        "action": "void",
        "reason": "reported twice",
    }


def voided_mining_and_runs(world) -> None:
    """Three lots mined under a 10 t quota, one voided; a run under the separation quota
    voided, another standing."""
    QuotaFactory(code="Q-SMALL", enterprise=world.miner, light_t="10", medium_heavy_t="1")
    mined = [mine_event(n) | {"quota": "Q-SMALL"} for n in (2, 3, 4)]
    world.capture(world.miner, *mined)
    world.capture(world.miner, _void("void-mine-3", "mine-3"))
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-a", "20000", yield_="0.95"))
    world.capture(world.separator, _void("void-sep-a", "sep-a"))
    world.capture(world.separator, separation("sep-b", "10000", yield_="0.95", out_lot=102))


def draws() -> dict[tuple, int]:
    return {(d.quota_id, d.element, d.source): d.metal_ug for d in QuotaDraw.objects.all()}


def test_capture_keeps_the_draws_the_rebuild_derives_and_verify_names_a_change(world):
    voided_mining_and_runs(world)
    kept = draws()
    assert {source for _, _, source in kept} == {"mining", "separation"}
    QuotaDraw.objects.all().delete()
    draws_rebuild()
    assert {k: v for k, v in draws().items() if v} == {k: v for k, v in kept.items() if v}
    assert chain_verify()[1] is None
    row = QuotaDraw.objects.filter(source="separation").first()
    QuotaDraw.objects.filter(pk=row.pk).update(metal_ug=row.metal_ug + 1)
    found = chain_verify()[1]
    assert found is not None and (found.table, found.field) == ("ledger_quotadraw", "metal_ug")


def test_totals_equal_the_checks_accumulation_with_voided_mining_and_runs(world):
    voided_mining_and_runs(world)
    quota_ids = list(Quota.objects.values_list("pk", flat=True))
    totals, accumulated = quota_totals(quota_ids), _accumulated(quota_ids, when(12, 20))
    _assert_same(totals, accumulated)
    small = Quota.objects.get(code="Q-SMALL").pk
    separating = world.separation_quota.pk
    assert accumulated[small]["light"] > 0 and accumulated[separating]["light"] > 0
    # the void took mine-3 out; the two lots of about 6 t REO left still overrun 10 t
    run(world, "quota_usage")
    [over] = Alert.objects.filter(rule="quota_usage")
    rows = quota_use(actor=world.users[UserRole.REGULATOR], year=2025)
    assert {(u.quota.code, u.group) for u in rows if u.status == "overrun"} == {
        (over.figures["quota"], "light")
    }


def test_a_generated_year_shows_an_overrun_exactly_where_the_check_finds_one(tmp_path):
    produce(scale="tiny", seed=5, out=tmp_path, load=True)
    truth = json.loads((tmp_path / "ground_truth.json").read_text("utf-8"))["cases"]
    assert any(case["type"] == "quota_overrun" for case in truth), "the year must hold one"
    as_of = when(12, 20, year=2026)
    detect(rules=["quota_usage"], as_of=as_of)
    quota_ids = list(Quota.objects.values_list("pk", flat=True))
    _assert_same(quota_totals(quota_ids), _accumulated(quota_ids, as_of))
    demo_users()
    regulator = User.objects.get(username="demo-regulator")
    over = set(
        Alert.objects.filter(rule="quota_usage", severity="high").values_list(
            "figures__quota", flat=True
        )
    )
    shown = {
        u.quota.code
        for year in Quota.objects.values_list("year", flat=True).distinct()
        for u in quota_use(actor=regulator, year=year)
        if u.status == "overrun"
    }
    assert over and shown == over
