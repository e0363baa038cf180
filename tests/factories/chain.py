"""Event builders for the March 2025 mine-to-magnet chain that scenario, portal and
browser tests share: two mines (lots A and B), separation into PrNd and Dy oxides,
metals, and a sintered magnet lot."""

from __future__ import annotations

from tests.factories.world import at, code

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
