"""The generated chain loads through the ledger's capture rules, frauds included."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.exportcontrol.choices import OPEN_STATES
from reetrace.exportcontrol.models import Application
from reetrace.ledger.models import Event, LotElement, Posting
from reetrace.reporting.models import MonthlyReport
from reetrace.synth.config import honest_overrides
from reetrace.synth.dataset import produce

pytestmark = pytest.mark.django_db


def test_fraud_dataset_loads_and_truth_points_at_ledger(tmp_path):
    result = produce(scale="tiny", seed=3, out=tmp_path, load=True)
    events = result.counts["event"]
    assert Event.objects.count() == events
    assert MonthlyReport.objects.count() == result.counts["closing"] == result.reports
    truth = json.loads((tmp_path / "ground_truth.json").read_text("utf-8"))
    referenced = {e for case in truth["cases"] for e in case["events"]}
    stored = set(Event.objects.filter(event_id__in=referenced).values_list("event_id", flat=True))
    assert stored == referenced
    late = [c for c in truth["cases"] if c["type"] == "late_report"]
    assert late and all(
        MonthlyReport.objects.get(
            enterprise__identifier=c["enterprise"], period=c["period"] + "-01"
        ).is_late
        for c in late
    )
    # the licensing desk is left with a queue in every open step of the workflow
    open_states = set(
        Application.objects.filter(state__in=OPEN_STATES).values_list("state", flat=True)
    )
    assert open_states == {"submitted", "accepted", "under_review", "information_requested"}


def test_honest_stock_never_negative_per_element(tmp_path):
    produce(scale="tiny", seed=5, load=True, overrides=honest_overrides())
    fractions = defaultdict(dict)
    for row in LotElement.objects.values("lot_id", "element", "fraction"):
        fractions[row["lot_id"]][row["element"]] = row["fraction"]
    held = defaultdict(Decimal)
    for row in Posting.objects.filter(bucket="S").values("holder_id", "lot_id", "kg"):
        for element, fraction in fractions[row["lot_id"]].items():
            held[(row["holder_id"], element)] += row["kg"] * fraction
    assert held and min(held.values()) >= 0
    assert not MonthlyReport.objects.filter(is_late=True).exists()


def test_demo_creates_logins_once():
    out = StringIO()
    call_command("demo", scale="tiny", end_month="2025-12", stdout=out)
    assert "demo-magnets" in out.getvalue() and "http://127.0.0.1:8000/" in out.getvalue()
    users = User.objects.filter(username__startswith="demo-").count()
    events = Event.objects.count()
    assert events > 1000
    assert set(User.objects.values_list("role", flat=True)) >= set(UserRole.values)
    magnets = User.objects.get(username="demo-magnets")
    assert magnets.enterprise.role_set() >= {"magnet_maker", "exporter"}
    call_command("demo", scale="tiny", end_month="2025-12", stdout=StringIO())
    assert User.objects.filter(username__startswith="demo-").count() == users
    assert Event.objects.count() == events


def test_customs_records_and_refused_applications_load(tmp_path):
    from reetrace.compliance.models import CustomsDeclaration
    from reetrace.exportcontrol.models import ApplicationItem

    produce(scale="tiny", seed=3, out=tmp_path, load=True)
    with open(tmp_path / "customs_declarations.csv", encoding="utf-8") as handle:
        numbers = {line.split(",", 1)[0] for line in list(handle)[1:]}
    assert set(CustomsDeclaration.objects.values_list("number", flat=True)) == numbers
    refused = ApplicationItem.objects.filter(application__state="rejected")
    assert refused.exists() and not refused.filter(lot__isnull=True).exists()
