"""The generator on its own: determinism, shapes, physics and quotas of honest actors."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

from reetrace.reconciliation.reference import hs6_table
from reetrace.registry.catalogue import STANDARD_PRODUCTS
from reetrace.registry.elements import ELEMENTS, ElementGroup
from reetrace.registry.identifiers import uscc_validate
from reetrace.synth.config import load_config
from reetrace.synth.dataset import produce
from reetrace.synth.fraud import FRAUD_TYPES
from tests.synth.conftest import read_events

PRODUCTS = {code for code, *_ in STANDARD_PRODUCTS}
REPORT_TYPES = {"late_report", "missing_report"}


def made_lots(events: list[dict]) -> dict[str, dict]:
    lots = {}
    for event in events:
        for lot in event.get("outputs") or [event.get("lot")]:
            if isinstance(lot, dict):
                lots[lot["code"]] = {el: Decimal(f) for el, f in lot["composition"].items()}
    return lots


def reo(kg: Decimal, comp: dict[str, Decimal]) -> tuple[Decimal, Decimal]:
    light = heavy = Decimal(0)
    for el, fraction in comp.items():
        amount = kg * fraction * ELEMENTS[el].metal_to_oxide
        if ELEMENTS[el].group == ElementGroup.LIGHT:
            light += amount
        else:
            heavy += amount
    return light, heavy


def test_same_seed_same_bytes(tmp_path, fraud_dir):
    again = tmp_path / "again"
    produce(scale="tiny", seed=7, out=again)
    names = sorted(p.name for p in fraud_dir.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (fraud_dir / name).read_bytes() == (again / name).read_bytes(), name


def test_tiny_size_registry_and_chronology(fraud_dir):
    events = read_events(fraud_dir)
    assert 1000 <= len(events) <= 5000
    times = [e["event_time"] for e in events]
    assert times == sorted(times), "events come in chronological order"
    assert all(t.startswith("2025-") for t in times)
    with open(fraud_dir / "enterprises.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["country"] == "CN":
            assert uscc_validate(row["identifier"]) == row["identifier"]
        else:
            assert row["identifier"].startswith(row["country"] + ":")
    assert len({r["country"] for r in rows if r["country"] != "CN"}) >= 30
    assert {r["group"] for r in rows} >= {"CREG", "CNRE"}


def test_products_known_and_compositions_sum_at_most_one(fraud_dir):
    for event in read_events(fraud_dir):
        for lot in event.get("outputs") or [event.get("lot")]:
            if not isinstance(lot, dict):
                continue
            assert lot["product"] in PRODUCTS
            fractions = [Decimal(f) for f in lot["composition"].values()]
            assert all(0 < f <= 1 for f in fractions)
            assert sum(fractions) <= 1


def test_honest_transformations_within_yield_range(honest_dir):
    processes = load_config("tiny")["processes"]
    events = read_events(honest_dir)
    lots = made_lots(events)
    checked = 0
    for event in (e for e in events if e["kind"] == "transform"):
        used = sum(sum(reo(Decimal(i["mass"]), lots[i["lot"]])) for i in event["inputs"])
        made = sum(sum(reo(Decimal(o["mass"]), lots[o["code"]])) for o in event["outputs"])
        low, high = processes[event["process"]]["yield"]
        assert Decimal(str(low)) <= made / used <= Decimal(str(high)), event["event_id"]
        checked += 1
    assert checked > 50


def test_honest_quotas_hold(honest_dir):
    events = read_events(honest_dir)
    lots = made_lots(events)
    with open(honest_dir / "quotas.csv", encoding="utf-8") as handle:
        quotas = {q["code"]: q for q in csv.DictReader(handle)}
    used = {code: [Decimal(0), Decimal(0)] for code in quotas}
    for event in events:
        if event["kind"] == "mine":
            parts = [(Decimal(event["lot"]["mass"]), lots[event["lot"]["code"]])]
        elif event["kind"] == "transform" and event.get("quota"):
            parts = [(Decimal(i["mass"]), lots[i["lot"]]) for i in event["inputs"]]
        else:
            continue
        for kg, comp in parts:
            light, heavy = reo(kg, comp)
            used[event["quota"]][0] += light
            used[event["quota"]][1] += heavy
    for code, (light, heavy) in used.items():
        assert light <= Decimal(quotas[code]["light_t"]) * 1000, code
        assert heavy <= Decimal(quotas[code]["medium_heavy_t"]) * 1000, code
    assert any(light > 0 for light, _ in used.values())


def test_honest_dataset_has_no_fraud(honest_dir):
    truth = json.loads((honest_dir / "ground_truth.json").read_text("utf-8"))
    assert truth["cases"] == []
    with open(honest_dir / "month_closings.csv", encoding="utf-8") as handle:
        closings = list(csv.DictReader(handle))
    assert closings and all(c["closed_at"][:10] <= c["deadline"] for c in closings)


def test_honest_controlled_exports_carry_a_licence(honest_dir):
    events = read_events(honest_dir)
    lots = made_lots(events)
    controlled = {s for s, e in ELEMENTS.items() if e.export_controlled_2025_18}
    checked = 0
    for event in (e for e in events if e["kind"] == "export"):
        if event["event_time"] >= "2025-04-04" and controlled & set(lots[event["lot"]]):
            assert event["licence"], event["event_id"]
            checked += 1
    assert checked > 0


def test_every_fraud_type_in_ground_truth(fraud_dir):
    truth = json.loads((fraud_dir / "ground_truth.json").read_text("utf-8"))
    found = {case["type"] for case in truth["cases"]}
    assert found == set(FRAUD_TYPES)
    for case in truth["cases"]:
        assert case["enterprise"] and case["period"].startswith("2025")
        assert Decimal(case["magnitude"]["value"]) > 0 and case["magnitude"]["unit"]
        if case["type"] not in REPORT_TYPES:
            assert case["lots"] and case["events"], case


def test_partner_imports_follow_exports(fraud_dir):
    """Every kg exported (and not voided) is in the partner file, gross-weight rows
    net of packaging."""
    with open(fraud_dir / "partner_imports.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    factors = load_config("tiny")["partner"]["gross_to_net"]
    net = Decimal(0)
    for r in rows:
        group = hs6_table()[r["PRODUCT_NC"][:6]]["group"]
        factor = Decimal(str(factors.get(group, factors["default"])))
        kg = Decimal(r["QUANTITY_IN_KG"])
        net += kg / factor if r["WEIGHT_BASIS"] == "gross" else kg
    events = read_events(fraud_dir)
    voided = {e["corrects"] for e in events if e["kind"] == "correct" and e["action"] == "void"}
    exported = sum(
        Decimal(e["mass"]) for e in events if e["kind"] == "export" and e["event_id"] not in voided
    )
    assert abs(net - exported) <= Decimal("0.001") * len(rows)
    assert all(r["PARTNER"] == "CN" for r in rows)
    assert {r["WEIGHT_BASIS"] for r in rows} == {"net", "gross"}


def test_every_partner_cause_is_injected_at_tiny_scale(fraud_dir, honest_dir):
    causes = json.loads((fraud_dir / "ground_truth.json").read_text("utf-8"))["partner_causes"]
    for part in ("timing", "transit", "classification", "units", "unexplained"):
        assert causes[part]["rows"] and Decimal(causes[part]["total_kg"]) > 0, part
    assert Decimal(causes["valuation"]["total_usd"]) > 0
    assert Decimal(causes["unexplained"]["value_gap_usd"]) > 0
    kinds = {r["cause"] for r in causes["unexplained"]["rows"]}
    assert kinds == {"licence_mismatch", "misdeclared_export"}
    honest = json.loads((honest_dir / "ground_truth.json").read_text("utf-8"))["partner_causes"]
    assert honest["unexplained"]["rows"] == [] and honest["transit"]["rows"]
