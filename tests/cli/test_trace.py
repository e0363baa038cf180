"""`reetrace trace` and `reetrace stock`: the genealogy and holdings a person reads at a shell."""

from __future__ import annotations

import json
from decimal import Decimal

from reetrace.core.quantities import round_kg
from reetrace.registry.elements import ELEMENTS
from tests.cli.helpers import run, run_failing, table_rows
from tests.factories.world import ORE_COMPOSITION, at, code, mine_event, receive_event, ship_event

ND = ELEMENTS["Nd"].metal_to_oxide


def separate(world) -> None:
    """Two ore lots (1000 kg and 600 kg of them) separated into 10 kg of Nd oxide, lot 3."""
    world.capture(
        world.miner,
        mine_event(1),
        mine_event(2),
        ship_event("s1", 1, "1000", world.separator),
        ship_event("s2", 2, "1000", world.separator),
    )
    world.capture(
        world.separator, receive_event("r1", "s1", "1000"), receive_event("r2", "s2", "600")
    )
    world.capture(
        world.separator,
        {
            "event_id": "t1",
            "kind": "transform",
            "event_time": at(1, 10),
            "process": "separation",
            "quota": "Q-2025-SEP-1",
            "inputs": [{"lot": code(1), "mass": "1000"}, {"lot": code(2), "mass": "600"}],
            "outputs": [
                {"code": code(3), "product": "OXIDE-ND", "mass": "10", "composition": {"Nd": "0.7"}}
            ],
        },
    )


def test_trace_up_json_attributes_the_reo_to_each_origin(world):
    separate(world)
    document = json.loads(run("trace", code(3), "--up", "--json")[0])
    origins = {o["lot"]: o for o in document["origins"]}
    assert set(origins) == {code(1), code(2)}
    assert {o["quota"] for o in origins.values()} == {"Q-2025-MINING-1"}
    # Same ore, 1000 kg against 600 kg: the 7 kg of Nd metal splits 5:3 between them.
    total = round_kg(Decimal("7") * ND)
    assert origins[code(1)]["attributed_reo_kg"] == {"Nd": str(round_kg(total * 5 / 8))}
    assert origins[code(2)]["attributed_reo_kg"] == {"Nd": str(round_kg(total * 3 / 8))}
    assert document["nodes"][f"lot:{code(3)}"]["mass_kg"] == "10.000000"


def test_trace_table_shows_units_and_origins(world):
    separate(world)
    out, _ = run("trace", code(3), "--up")
    assert "Nd REO kg" in out and "mass kg" in out
    assert f"origins of {code(3)}: attributed REO kg" in out
    assert f"{round_kg(Decimal('7') * ND * 5 / 8):,f}" in out


def test_trace_down_follows_transformations_and_shipments(world):
    separate(world)
    document = json.loads(run("trace", code(1), "--down", "--json")[0])
    kinds = sorted((e["kind"], e["target"]) for e in document["edges"])
    assert kinds == [
        ("ship", f"enterprise:{world.separator.identifier}"),
        ("transform", f"lot:{code(3)}"),
    ]
    assert document["origins"] == []


def test_trace_of_bad_or_unknown_lot_is_a_clean_error(world):
    message, _ = run_failing("trace", "RT-NOPE", "--up")
    assert message == "lot code 'RT-NOPE' must be 'RT' followed by 13 letters or digits"
    message, _ = run_failing("trace", code(42), "--down")
    assert message == f"lot {code(42)!r} does not exist"


def test_stock_lists_lots_with_reo_and_totals_per_state(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    out, _ = run("stock", world.miner.identifier)
    assert "60,000.000000" in out
    assert "Nd REO kg" in out
    totals = [row for row in table_rows(out) if row[0] == "total"]
    assert [(row[3], row[4]) for row in totals] == [("in_stock", "60,000.000000")]
    document = json.loads(run("stock", world.separator.identifier, "--json")[0])
    nd = round_kg(Decimal("40000") * Decimal(ORE_COMPOSITION["Nd"]) * ND)
    assert [(s["state"], s["kg"]) for s in document["lines"]] == [("in_transit", "40000.000000")]
    assert document["totals"]["in_transit"]["reo_kg"]["Nd"] == str(nd)
    assert "in_stock" not in document["totals"]


def test_stock_of_unknown_enterprise_is_a_clean_error(world):
    message, _ = run_failing("stock", "91000000000000000X")
    assert message == "enterprise '91000000000000000X' is not registered"
