"""EPCIS 2.0 JSON-LD documents as an enterprise's system would send them."""

from __future__ import annotations

import json

from reetrace.epcis.mapping import EXTENSION_NAMESPACE
from reetrace.epcis.scheme import gln_assign, lot_lgtin
from reetrace.registry.models import Enterprise, Site

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"rt": EXTENSION_NAMESPACE},
]


def document(*events: dict) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-31T12:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def body(*events: dict) -> bytes:
    return json.dumps(document(*events)).encode()


def party(enterprise: Enterprise) -> str:
    gln = gln_assign(enterprise=enterprise)
    return f"urn:epc:id:pgln:{gln[:7]}.{gln[7:12]}"


def site(site_: Site) -> str:
    gln = gln_assign(site=site_)
    return f"urn:epc:id:sgln:{gln[:7]}.{gln[7:12]}.0"


def lgtin_urn(code: str, product: str) -> str:
    """The LGTIN as an EPC URN (the Digital Link form is `lot_lgtin`)."""
    gtin = lot_lgtin(code, product).split("/")[4]
    return f"urn:epc:class:lgtin:{gtin[1:8]}.{gtin[0]}{gtin[8:13]}.{code}"


def when(day: int, hour: int = 9) -> dict:
    return {
        "eventTime": f"2025-03-{day:02d}T{hour:02d}:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
    }


def mined(
    code: str, kg: str, day: int = 1, *, quota: str = "Q-2025-MINING-1", **composition
) -> dict:
    return {
        "type": "ObjectEvent",
        **when(day),
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [],
        "quantityList": [
            {
                "epcClass": lgtin_urn(code, "ORE-BASTNAESITE"),
                "quantity": float(kg) / 1000,
                "uom": "TNE",
            }
        ],
        "ilmd": {"rt:quota": quota, "rt:composition": composition or {"Nd": "0.008"}},
    }


def shipped(
    code: str, product: str, kg: str, seller: Enterprise, buyer: Enterprise, day: int
) -> dict:
    return {
        "type": "ObjectEvent",
        **when(day),
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": [],
        "quantityList": [
            {"epcClass": lot_lgtin(code, product), "quantity": float(kg), "uom": "KGM"}
        ],
        "bizTransactionList": [{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:PO-{code}"}],
        "sourceList": [{"type": "owning_party", "source": party(seller)}],
        "destinationList": [{"type": "owning_party", "destination": party(buyer)}],
        "rt:unitPrice": "100",
        "rt:currency": "CNY",
    }


def received(code: str, product: str, kg: str, day: int) -> dict:
    return {
        "type": "ObjectEvent",
        **when(day, 15),
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "epcList": [],
        "quantityList": [
            {"epcClass": lot_lgtin(code, product), "quantity": float(kg), "uom": "KGM"}
        ],
    }


def transformed(inputs, outputs, process: str, day: int, **extensions) -> dict:
    """inputs: (code, product, kg); outputs: (code, product, kg, composition)."""
    return {
        "type": "TransformationEvent",
        **when(day),
        "bizStep": "commissioning",
        "inputQuantityList": [
            {"epcClass": lot_lgtin(c, p), "quantity": float(kg), "uom": "KGM"}
            for c, p, kg in inputs
        ],
        "outputQuantityList": [
            {"epcClass": lot_lgtin(c, p), "quantity": float(kg), "uom": "KGM"}
            for c, p, kg, _ in outputs
        ],
        "ilmd": {"rt:compositions": {c: comp for c, _, _, comp in outputs}},
        "rt:process": process,
        **{f"rt:{k}": v for k, v in extensions.items()},
    }


def inspected(code: str, product: str, day: int) -> dict:
    return {
        "type": "ObjectEvent",
        **when(day, 11),
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "quantityList": [{"epcClass": lot_lgtin(code, product), "quantity": 1, "uom": "KGM"}],
    }
