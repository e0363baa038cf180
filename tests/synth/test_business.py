"""The business profile (`generate --profile business`, synth/business.py): an honest
chain with the habits of real trade. Each habit is counted in the loaded ledger, and
no rule raises anything above a notice on it (every such alert is a rule's defect)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db.models import Count, F, Max, Min

from reetrace.compliance.evaluation import stored_alerts
from reetrace.compliance.services.detection import detect
from reetrace.ledger.models import Correction, Event, ExportDeclaration, Posting, Shipment
from reetrace.synth.config import load_config, profile_overrides
from reetrace.synth.dataset import produce
from reetrace.synth.events import CST
from reetrace.synth.market import Market
from tests.cli.helpers import run, run_failing
from tests.compliance.helpers import when

pytestmark = pytest.mark.django_db

SEED = 11  # docs/detection.md lists the seeds checked by hand (none of them is 11)


@pytest.fixture
def business():
    return produce(scale="tiny", seed=SEED, load=True, overrides=profile_overrides("business"))


def test_mining_follows_the_seasons(business):
    mined = dict(
        Event.objects.filter(kind="mine")
        .values_list("period__month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    first_quarter = sum(mined.get(m, 0) for m in (1, 2, 3))
    last_quarter = sum(mined.get(m, 0) for m in (10, 11, 12))
    assert last_quarter > first_quarter
    assert mined.get(2, 0) < mined.get(12, 0)


def test_stock_is_held_for_months_before_it_is_sold(business):
    held = Shipment.objects.filter(
        seller__roles__role__in=["separator", "metal_maker"],
        event__event_time__gte=F("lot__created_by__event_time") + timedelta(days=60),
    )
    assert held.exists()


# unit prices are stored to four places, so a ratio at the +/-30 % bound may pass it by that
PRICE_ROUNDING = 1e-3


def test_prices_scatter_around_the_market_with_trends(business):
    market = business.chain.market
    assert isinstance(market, Market)
    ratios = []
    # oxides, metals and ores (magnets and their swarf are priced by grade)
    products = [p for p in market.prices if not p.startswith(("SCRAP-", "MAGNET-"))]
    shipments = Shipment.objects.filter(lot__product__code__in=products)
    for shipment in shipments.select_related("event", "lot__product"):
        day = shipment.event.event_time.astimezone(CST).date()
        mid = market.market_price(shipment.lot.product.code, {}, day)
        ratios.append(float(shipment.unit_price) / float(mid))
    assert len(ratios) > 50
    assert min(ratios) < 0.85 and max(ratios) > 1.15  # dispersed both ways
    assert min(ratios) >= 0.7 - PRICE_ROUNDING and max(ratios) <= 1.3 + PRICE_ROUNDING


def test_some_shipments_are_received_in_two_receipts_months_apart(business):
    split = Shipment.objects.annotate(
        n=Count("receipts"),
        first=Min("receipts__event__event_time"),
        last=Max("receipts__event__event_time"),
    ).filter(n=2)
    assert split.exists()
    assert all(s.last - s.first >= timedelta(days=29) for s in split)
    assert all(sum(r.kg for r in s.receipts.all()) == s.kg for s in split)


def test_recycled_feed_goes_into_separation_and_metal_making(business):
    recycled = Posting.objects.filter(
        flow="consumed", lot__created_by__transformation__process="recycling"
    )
    processes = set(recycled.values_list("event__transformation__process", flat=True))
    assert {"separation", "reduction"} <= processes


def test_stock_counts_are_corrected_a_month_or_two_later(business):
    late = [
        c
        for c in Correction.objects.select_related("event", "corrected")
        if c.corrected.kind == "adjust" and c.action == "replace"
    ]
    assert late
    for correction in late:
        assert correction.event.event_time - correction.corrected.event_time >= timedelta(days=29)
        assert correction.event.period > correction.corrected.period


def test_controlled_goods_are_exported_under_licence(business):
    assert ExportDeclaration.objects.exclude(licence_number="").exists()


def test_no_alert_above_notice_on_the_business_chain(business):
    detect(as_of=when(12, 20, year=2026))
    assert stored_alerts() == []


def test_the_profile_is_honest():
    cfg = load_config("tiny", profile_overrides("business"))
    assert cfg["business"]["enabled"] is True
    assert all(rate == 0 for kind, rate in cfg["fraud"].items() if kind != "guarantee_after")


def test_generate_takes_the_profile_and_refuses_it_with_honest(tmp_path):
    out = tmp_path / "business"
    run("generate", "--scale", "tiny", "--seed", "5", "--end-month", "2025-12",
        "--profile", "business", "--out", str(out))  # fmt: skip
    truth = json.loads((out / "ground_truth.json").read_text("utf-8"))
    assert truth["cases"] == []
    lines = (out / "events.jsonl").read_text("utf-8").splitlines()
    kinds = {json.loads(line)["kind"] for line in lines}
    assert "correct" in kinds
    error, _ = run_failing(
        "generate", "--scale", "tiny", "--honest", "--profile", "business", "--out", str(out)
    )
    assert "--honest and --profile business: give one of them" in error
