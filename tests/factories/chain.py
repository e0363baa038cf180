"""Event builders for the March 2025 mine-to-magnet chain that scenario, portal,
ledger and browser tests share, and `build_chain` writing all of it: two mines (lots
A and B), separation into PrNd and Dy oxides, metals, and a sintered magnet lot
exported to Germany and sold to a domestic user."""

from __future__ import annotations

from tests.factories.world import World, at, code

A, B, PRND_OX, DY_OX, PRND_METAL, DYFE, MAGNET = (code(n) for n in range(101, 108))


def new_lot(code_, product, kg, **composition):
    return {"code": code_, "product": product, "mass": kg, "composition": composition}


def ship(event_id, lot_code, kg, buyer, day):
    return {
        "event_id": event_id,
        "kind": "ship",
        "event_time": at(3, day),
        "lot": lot_code,
        "mass": kg,
        "buyer": buyer.identifier,
        "unit_price": "100",
        "currency": "CNY",
        "contract": f"K-{event_id}",
    }


def receive(event_id, shipment, kg, day):
    return {
        "event_id": event_id,
        "kind": "receive",
        "event_time": at(3, day),
        "shipment": shipment,
        "mass": kg,
    }


def transform(event_id, process, inputs, outputs, day, **extra):
    return {
        "event_id": event_id,
        "kind": "transform",
        "event_time": at(3, day),
        "process": process,
        "inputs": [{"lot": c, "mass": kg} for c, kg in inputs],
        "outputs": outputs,
        **extra,
    }


def export(event_id, lot_code, kg, day, destination="DE"):
    return {
        "event_id": event_id,
        "kind": "export",
        "event_time": at(3, day),
        "lot": lot_code,
        "mass": kg,
        "customs_declaration": f"5316{event_id}",
        "hs_code": "8505111000",
        "destination": destination,
        "consignee": "Motoren GmbH",
        "end_user": "Motoren GmbH Werk 2",
        "fob_value": "450000",
        "currency": "USD",
    }


def build_chain(world: World) -> None:
    mine = {"kind": "mine", "quota": "Q-2025-MINING-1", "event_time": at(3, 1)}
    world.capture(
        world.miner,
        mine | {"event_id": "m-a", "lot": new_lot(A, "ORE-BASTNAESITE", "100 t", Nd="0.008")},
        mine
        | {"event_id": "m-b", "lot": new_lot(B, "ORE-IONIC-CLAY", "20000", Nd="0.01", Dy="0.005")},
        ship("s-a", A, "100000", world.separator, 2),
        ship("s-b", B, "20000", world.separator, 2),
    )
    world.capture(
        world.separator,
        receive("r-a", "s-a", "100000", 3),
        receive("r-b", "s-b", "20000", 3),
        transform(
            "t-sep",
            "separation",
            [(A, "100000"), (B, "20000")],
            [
                new_lot(PRND_OX, "OXIDE-PRND", "1000", Nd="0.6"),
                new_lot(DY_OX, "OXIDE-DY", "100", Dy="0.8713"),
            ],
            4,
            quota="Q-2025-SEP-1",
        ),
        ship("s-ox", PRND_OX, "1000", world.metal_maker, 5),
        ship("s-dy", DY_OX, "100", world.metal_maker, 5),
    )
    world.capture(
        world.metal_maker,
        receive("r-ox", "s-ox", "1000", 6),
        receive("r-dy", "s-dy", "100", 6),
        transform(
            "t-red",
            "reduction",
            [(PRND_OX, "1000")],
            [new_lot(PRND_METAL, "METAL-ND", "500", Nd="0.99")],
            7,
        ),
        transform(
            "t-dyfe",
            "alloying",
            [(DY_OX, "100")],
            [new_lot(DYFE, "ALLOY-DYFE", "100", Dy="0.8")],
            7,
        ),
        ship("s-m", PRND_METAL, "500", world.magnet_maker, 8),
        ship("s-d", DYFE, "100", world.magnet_maker, 8),
    )
    world.capture(
        world.magnet_maker,
        receive("r-m", "s-m", "500", 9),
        receive("r-d", "s-d", "100", 9),
        transform(
            "t-mag",
            "magnet_making",
            [(PRND_METAL, "500"), (DYFE, "100")],
            [new_lot(MAGNET, "MAGNET-NDFEB-SINTERED", "2000", Nd="0.245", Dy="0.035")],
            10,
        ),
        export("x-1", MAGNET, "1500", 12),
        ship("s-use", MAGNET, "200", world.user_firm, 13),
    )
