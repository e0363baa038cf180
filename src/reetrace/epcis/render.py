"""Every reetrace ledger event as EPCIS 2.0, the inverse of `mapping.py`.

An event captured through EPCIS is served as it was sent (its stored JSON-LD, with
the sender's context), so its Event Hash ID is the one the sender computed; an event
captured any other way (the JSON API, files, the portal) is rendered here in the
shape `mapping.py` reads back, so that exporting and capturing again gives the same
ledger. Lots are LGTINs, parties PGLNs and sites SGLNs (`scheme.py`); masses are kg
(`KGM`) as exact decimal numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal

from reetrace.epcis.canonical import event_hash_id
from reetrace.epcis.mapping import CUSTOMS_DECLARATION, EXPORT_LICENCE, EXTENSION_NAMESPACE
from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.scheme import gln_assign, lot_lgtin, party_uri, site_uri
from reetrace.epcis.tree import read_document
from reetrace.epcis.xmljson import CONTEXT_URL
from reetrace.ledger.models import Event, Lot, Shipment
from reetrace.registry.models import Enterprise, Site

__all__ = ["CONTEXT", "epcis_events", "epcis_events_of", "event_hash"]

CONTEXT = [CONTEXT_URL, {"rt": EXTENSION_NAMESPACE}]
ORIGIN_ILMD = {
    "mine": {"quota": "rt:quota"},
    "import": {
        "customs_declaration": "rt:customsDeclaration",
        "origin_country": "rt:originCountry",
    },
    "recycle": {"source": "rt:recyclingSource"},
}


def event_hash(event: dict) -> str:
    """The Event Hash ID of one JSON-LD event (its own or the served context)."""
    document = {"@context": event.get("@context", CONTEXT), "epcisBody": {"eventList": [event]}}
    return event_hash_id(read_document(json.dumps(document), syntax="json")[0])


class _Keys:
    """Looks up, once per rendering, the lots' products, sites and parties' GLNs."""

    def __init__(self, events: list[Event]):
        codes: set[str] = set()
        shipments: set[str] = set()
        for event in events:
            codes |= set(_codes(event.payload))
            if event.kind == "receive":
                shipments.add(event.payload["shipment"])
        self.products = dict(
            Lot.objects.filter(code__in=codes).values_list("code", "product__code")
        )
        self.shipment_events = {
            s.event.event_id: s.event
            for s in Shipment.objects.filter(event__event_id__in=shipments).select_related("event")
        }

    def lot(self, code: str) -> str:
        return lot_lgtin(code, self.products[code])


def _codes(payload: dict) -> list[str]:
    found = []
    if isinstance(payload.get("lot"), str):
        found.append(payload["lot"])
    if isinstance(payload.get("lot"), dict):
        found.append(payload["lot"]["code"])
    found += [line["lot"] for line in payload.get("inputs", [])]
    found += [out["code"] for out in payload.get("outputs", [])]
    replacement = payload.get("replacement") or {}
    if isinstance(replacement.get("lot"), str):
        found.append(replacement["lot"])
    return found


def _number(kg: str):
    value = Decimal(kg).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity(epc_class: str, kg: str) -> dict:
    return {"epcClass": epc_class, "quantity": _number(kg), "uom": "KGM"}


def _transaction(kind: str, reporter: Enterprise, identifier: str) -> dict:
    gln = gln_assign(enterprise=reporter)
    return {"type": kind, "bizTransaction": f"urn:epcglobal:cbv:bt:{gln}:{identifier}"}


def _base(event: Event, payload: dict) -> dict:
    offset = event.utc_offset_minutes
    sign = "+" if offset >= 0 else "-"
    zone = f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return {
        "type": "ObjectEvent",
        "eventTime": payload["event_time"],
        "eventTimeZoneOffset": zone,
    }


def _site(code: str | None) -> dict:
    if not code:
        return {}
    site = Site.objects.filter(code=code).first()
    return {"bizLocation": {"id": site_uri(site)}} if site else {}


def _render(event: Event, kind: str, payload: dict, keys: _Keys) -> dict:
    body = _base(event, payload)
    reporter = event.reporter
    if kind in ORIGIN_ILMD:
        lot = payload["lot"]
        ilmd = {key: payload[field] for field, key in ORIGIN_ILMD[kind].items()}
        return body | {
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "epcList": [],
            "quantityList": [_quantity(keys.lot(lot["code"]), lot["mass"])],
            **_site(lot.get("site")),
            "ilmd": ilmd | {"rt:composition": lot["composition"]},
        }
    if kind == "transform":
        outputs = payload["outputs"]
        extra = {"rt:quota": payload["quota"]} if payload.get("quota") else {}
        return body | {
            "type": "TransformationEvent",
            "bizStep": "commissioning",
            "inputQuantityList": [
                _quantity(keys.lot(i["lot"]), i["mass"]) for i in payload["inputs"]
            ],
            "outputQuantityList": [_quantity(keys.lot(o["code"]), o["mass"]) for o in outputs],
            **_site(outputs[0].get("site")),
            "ilmd": {"rt:compositions": {o["code"]: o["composition"] for o in outputs}},
            "rt:process": payload["process"],
            **extra,
        }
    if kind == "ship":
        buyer = Enterprise.objects.get(identifier=payload["buyer"])
        return body | {
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "epcList": [],
            "quantityList": [_quantity(keys.lot(payload["lot"]), payload["mass"])],
            "bizTransactionList": [_transaction("po", reporter, payload["contract"])],
            "sourceList": [{"type": "owning_party", "source": party_uri(reporter)}],
            "destinationList": [{"type": "owning_party", "destination": party_uri(buyer)}],
            "rt:unitPrice": str(payload["unit_price"]),
            "rt:currency": payload["currency"],
        }
    if kind == "receive":
        shipment = keys.shipment_events[payload["shipment"]]
        # a shipment a correction replaced is named by its corrective event, the last
        shipped = epcis_events([shipment])[-1]
        lot = shipped["quantityList"][0]["epcClass"]
        return body | {
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "epcList": [],
            "quantityList": [_quantity(lot, payload["mass"])],
            "rt:shipment": shipped["eventID"],
        }
    if kind == "export":
        transactions = [_transaction(CUSTOMS_DECLARATION, reporter, payload["customs_declaration"])]
        if payload.get("licence"):
            transactions.append(_transaction(EXPORT_LICENCE, reporter, payload["licence"]))
        return body | {
            "action": "OBSERVE",
            "bizStep": "departing",
            "disposition": "in_transit",
            "epcList": [],
            "quantityList": [_quantity(keys.lot(payload["lot"]), payload["mass"])],
            "bizTransactionList": transactions,
            "sourceList": [{"type": "owning_party", "source": party_uri(reporter)}],
            "rt:hsCode": payload["hs_code"],
            "rt:destinationCountry": payload["destination"],
            "rt:consignee": payload["consignee"],
            "rt:endUser": payload["end_user"],
            "rt:fobValue": str(payload["fob_value"]),
            "rt:currency": payload["currency"],
        }
    if kind == "adjust":
        kg = Decimal(payload["mass"])
        return body | {
            "action": "OBSERVE",
            "bizStep": "stock_taking",
            "epcList": [],
            "quantityList": [_quantity(keys.lot(payload["lot"]), str(abs(kg)))],
            "rt:adjustment": {
                "rt:reason": payload["reason"],
                "rt:direction": "loss" if kg < 0 else "gain",
                "rt:note": payload.get("note", ""),
            },
        }
    raise ValueError(f"no EPCIS rendering for a {kind} event")


def _with_id(event: dict) -> dict:
    return {"eventID": event_hash(event)} | event


def _correction(event: Event) -> list[dict]:
    """The corrected event declared in error, then its replacement if any. Its keys
    are looked up with the corrected event's, which a query may not have selected."""
    corrected = Event.objects.select_related("reporter").get(pk=event.correction.corrected_id)
    keys = _Keys([corrected, event])
    original = epcis_events([corrected])[0]
    payload = event.payload
    declaration = {
        "declarationTime": payload["event_time"],
        "reason": "incorrect_data",
        "rt:reason": payload["reason"],
    }
    out = []
    if payload["action"] == "replace":
        body = dict(corrected.payload) | dict(payload.get("replacement") or {})
        corrective = _with_id(_render(corrected, corrected.kind, body, keys))
        declaration["correctiveEventIDs"] = [corrective["eventID"]]
        out.append(corrective)
    declared = {k: v for k, v in original.items() if k != "eventID"}
    return [{"eventID": original["eventID"]} | declared | {"errorDeclaration": declaration}, *out]


def epcis_events(events: list[Event]) -> list[dict]:
    """The EPCIS 2.0 events of ledger events, in their order (a correction that replaces
    gives two: the error declaration and its corrective event)."""
    return [served for _, served in epcis_events_of(events)]


def epcis_events_of(events: list[Event]) -> list[tuple[Event, dict]]:
    """(ledger event, EPCIS event) pairs, in order; see `epcis_events`."""
    if not events:
        return []
    stored = {
        e.ledger_event_id: e
        for e in EpcisEvent.objects.filter(
            ledger_event__in=[ev.pk for ev in events]
        ).select_related("capture")
    }
    keys = _Keys(events)
    out: list[tuple[Event, dict]] = []
    for event in events:
        kept = stored.get(event.pk)
        if kept is not None:
            out.append((event, kept.served()))
        elif event.kind == "correct":
            out += [(event, served) for served in _correction(event)]
        else:
            out.append((event, _with_id(_render(event, event.kind, event.payload, keys))))
    return out
