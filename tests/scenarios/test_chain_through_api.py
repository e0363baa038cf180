"""Scenario: a mine-to-export chain reported through the public API, then traced.

Two mines feed a separator: a light-REE rock mine (lot A) and an ionic-clay mine
rich in Dy (lot B). Oxides become metals, metals a sintered magnet, and part of
the magnet lot is exported. Tracing the magnet upstream must attribute each
element to the right mine in the right amount; every invariant, tried through
the API, must answer with its error and leave the ledger as it was.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.ledger.models import Event, Posting
from tests.factories.chain import (
    DY_OX,
    DYFE,
    MAGNET,
    PRND_METAL,
    PRND_OX,
    A,
    B,
    receive,
    ship,
    transform,
)
from tests.factories.chain import new_lot as lot
from tests.factories.world import at

API = "/api/v1"


def post_events(client, *events, status=200):
    response = client.post(
        f"{API}/events", {"events": list(events)}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def chain(world):
    miner, sep, metal, magnets = (
        world.client(world.miner),
        world.client(world.separator),
        world.client(world.metal_maker),
        world.client(world.magnet_maker),
    )
    mine = {"kind": "mine", "quota": "Q-2025-MINING-1", "event_time": at(3, 1)}
    post_events(
        miner,
        mine
        | {"event_id": "m-a", "lot": lot(A, "ORE-BASTNAESITE", "100 t", Nd="0.008", Pr="0.0025")},
        mine
        | {
            "event_id": "m-b",
            "lot": lot(B, "ORE-IONIC-CLAY", "20000", Nd="0.01", Pr="0.0025", Dy="0.005"),
        },
        ship("s-a", A, "100000", world.separator, 2),
        ship("s-b", B, "20000", world.separator, 2),
    )
    post_events(
        sep,
        receive("r-a", "s-a", "100000", 3),
        receive("r-b", "s-b", "20000", 3),
        transform(
            "t-sep",
            "separation",
            [(A, "100000"), (B, "20000")],
            [
                lot(PRND_OX, "OXIDE-PRND", "1000", Nd="0.6", Pr="0.18"),
                lot(DY_OX, "OXIDE-DY", "100", Dy="0.8713"),
            ],
            4,
            quota="Q-2025-SEP-1",
        ),
        ship("s-ox", PRND_OX, "1000", world.metal_maker, 5),
        ship("s-dy", DY_OX, "100", world.metal_maker, 5),
    )
    post_events(
        metal,
        receive("r-ox", "s-ox", "1000", 6),
        receive("r-dy", "s-dy", "100", 6),
        transform(
            "t-red",
            "reduction",
            [(PRND_OX, "1000")],
            [lot(PRND_METAL, "METAL-PRND", "700", Nd="0.77", Pr="0.23")],
            7,
        ),
        transform(
            "t-dyfe", "alloying", [(DY_OX, "100")], [lot(DYFE, "ALLOY-DYFE", "100", Dy="0.8")], 7
        ),
        ship("s-m", PRND_METAL, "700", world.magnet_maker, 8),
        ship("s-d", DYFE, "100", world.magnet_maker, 8),
    )
    post_events(
        magnets,
        receive("r-m", "s-m", "700", 9),
        receive("r-d", "s-d", "100", 9),
        transform(
            "t-mag",
            "magnet_making",
            [(PRND_METAL, "700"), (DYFE, "100")],
            [lot(MAGNET, "MAGNET-NDFEB-SINTERED", "2000", Nd="0.25", Pr="0.075", Dy="0.035")],
            10,
        ),
        {
            "event_id": "x-1",
            "kind": "export",
            "event_time": at(3, 12),
            "lot": MAGNET,
            "mass": "1500",
            "customs_declaration": "531620250000123456",
            "hs_code": "8505111000",
            "destination": "DE",
            "consignee": "Motoren GmbH",
            "end_user": "Motoren GmbH Werk 2",
            "licence": "",
            "fob_value": "450000",
            "currency": "USD",
        },
    )
    return world


def close_to(actual: str | Decimal, expected: str) -> bool:
    return abs(Decimal(actual) - Decimal(expected)) <= Decimal("0.001")


def test_exported_magnet_traces_to_both_mines_per_element(chain):
    response = chain.client("regulator").get(f"{API}/lots/{MAGNET}/genealogy?direction=up")
    assert response.status_code == 200
    graph = response.json()
    origins = {o["lot"]: o for o in graph["origins"]}
    assert set(origins) == {A, B}
    assert {o["kind"] for o in origins.values()} == {"mine"}
    assert origins[A]["quota"] == "Q-2025-MINING-1"
    a, b = origins[A]["attributed_reo_kg"], origins[B]["attributed_reo_kg"]
    # Nd: 500 kg metal in the magnet = 583.2 kg Nd2O3, 80 % from A (800 of 1000 kg Nd).
    assert close_to(a["Nd"], "466.56") and close_to(b["Nd"], "116.64")
    # Pr: 150 kg metal = 181.23 kg Pr6O11, 250/300 from A.
    assert close_to(a["Pr"], "151.025") and close_to(b["Pr"], "30.205")
    # Dy: only the ionic clay carried Dy: 70 kg metal = 80.339 kg Dy2O3.
    assert "Dy" not in a and close_to(b["Dy"], "80.339")
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    assert (f"lot:{PRND_METAL}", f"lot:{MAGNET}") in edges
    assert (f"lot:{A}", f"lot:{PRND_OX}") in edges


def test_mine_lot_traces_down_to_the_export(chain):
    graph = chain.client("customs_officer").get(f"{API}/lots/{A}/genealogy?direction=down").json()
    exports = [e for e in graph["edges"] if e["kind"] == "export"]
    assert len(exports) == 1
    assert exports[0]["source"] == f"lot:{MAGNET}"
    assert Decimal(exports[0]["kg"]) == Decimal("1500")
    assert close_to(exports[0]["reo_kg"]["Dy"], "60.25425")  # 1500/2000 of 80.339
    node = graph["nodes"][exports[0]["target"]]
    assert (node["destination"], node["consignee"]) == ("DE", "Motoren GmbH")


def test_stock_and_registers_after_the_chain(chain):
    regulator = chain.client("regulator")
    stock = regulator.get(f"{API}/enterprises/{chain.magnet_maker.identifier}/stock").json()
    assert [(s["lot"], s["kg"]) for s in stock] == [(MAGNET, "500.000000")]
    sales = regulator.get(
        f"{API}/registers/transactions?seller={chain.separator.identifier}"
    ).json()
    assert {s["buyer_name"] for s in sales} == {"Ganzhou Metals"}
    exports = regulator.get(f"{API}/registers/exports?destination=DE").json()
    assert [x["customs_declaration"] for x in exports] == ["531620250000123456"]


def ledger_state():
    return Event.objects.count(), Posting.objects.count()


@pytest.mark.parametrize(
    ("event", "status", "code_", "field"),
    [
        ({"kind": "ship", "lot": MAGNET, "mass": "500.001"}, 400, "insufficient_balance", "mass"),
        ({"kind": "ship", "lot": A, "mass": "1"}, 400, "lot_not_held", "lot"),
        ({"kind": "ship", "lot": MAGNET, "mass": "0"}, 400, "quantity_not_positive", "mass"),
        ({"kind": "ship", "lot": MAGNET, "mass": "1 lb"}, 400, "unknown_unit", "mass"),
        (
            {"kind": "ship", "lot": MAGNET, "mass": "1", "event_time": at(3, 1, year=2099)},
            400,
            "future_event_time",
            "event_time",
        ),
        (
            {
                "kind": "mine",
                "quota": "Q-2025-MINING-1",
                "lot": {"product": "ORE-BASTNAESITE", "mass": "1", "composition": {"Nd": "0.1"}},
            },
            400,
            "role_not_allowed",
            "kind",
        ),
        (
            {
                "kind": "transform",
                "process": "magnet_making",
                "inputs": [{"lot": MAGNET, "mass": "10"}],
                "outputs": [
                    {"product": "MAGNET-NDFEB-SINTERED", "mass": "10", "composition": {"Nd": "0.3"}}
                ],
            },
            400,
            "conservation_violated",
            "outputs.Nd",
        ),
    ],
)
def test_each_invariant_is_refused_through_the_api(chain, event, status, code_, field):
    base = {
        "event_id": "bad-1",
        "event_time": at(3, 20),
        "buyer": chain.user_firm.identifier,
        "unit_price": "1",
        "currency": "CNY",
        "contract": "K-bad",
    }
    before = ledger_state()
    body = post_events(chain.client(chain.magnet_maker), base | event, status=status)
    assert body["code"] == "batch_rejected"
    assert [(e["index"], e["code"], e["field"]) for e in body["errors"]] == [(0, code_, field)]
    assert ledger_state() == before


def test_batch_with_one_bad_item_saves_nothing_and_resend_is_idempotent(chain):
    client = chain.client(chain.magnet_maker)
    good = ship("s-ok", MAGNET, "100", chain.user_firm, 20)
    bad = ship("s-bad", MAGNET, "1000", chain.user_firm, 20)
    before = ledger_state()
    body = post_events(client, good, bad, status=400)
    assert [(e["index"], e["record"]) for e in body["errors"]] == [(1, "s-bad")]
    assert ledger_state() == before
    assert post_events(client, good)["created"] == 1
    assert post_events(client, good)["replayed"] == 1
    conflict = post_events(client, good | {"mass": "99"}, status=409)
    assert conflict["errors"][0]["code"] == "duplicate_event_conflict"


def test_shape_errors_name_the_item_and_field(chain):
    body = post_events(
        chain.client(chain.magnet_maker),
        ship("s-x", MAGNET, "1", chain.user_firm, 20) | {"currency": "yuan"},
        status=422,
    )
    assert body["errors"][0]["index"] == 0
    assert body["errors"][0]["field"] == "currency"
