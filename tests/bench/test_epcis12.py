"""The bench's EPCIS 2.0 -> 1.2 converter: 1.2 syntax (extension wrappers, CBV URNs,
EPC URNs), nothing silently dropped, and a document the peer's own parser library
(QU4RTET's quartet-epcis, in the bench's peer virtualenv) stores with the same events."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from reetrace.bench.epcis12 import Epcis12Refused, epc_urn, epcis12_xml
from reetrace.bench.peer import peer_capture
from reetrace.conf import CONFIG
from tests.epcis.documents import document

LOT_A = "https://id.gs1.org/01/06975000000012/10/RT000006G35113K"
LOT_B = "https://id.gs1.org/01/06975000000029/10/RT000006G35122I"
SELLER = "https://id.gs1.org/417/6975000000019"
BUYER = "https://id.gs1.org/417/6975000000026"
SITE = "https://id.gs1.org/414/6975000000033"
HASH = "ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0"


MINE = {
    "eventID": HASH,
    "type": "ObjectEvent",
    "eventTime": "2025-01-01T07:00:11+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "bizStep": "commissioning",
    "disposition": "active",
    "epcList": [],
    "quantityList": [{"epcClass": LOT_A, "quantity": 38585.499, "uom": "KGM"}],
    "bizLocation": {"id": SITE},
    "ilmd": {"rt:quota": "Q2025-1", "rt:composition": {"La": "0.11", "Ce": "0.22"}},
}
SHIP = {
    "type": "ObjectEvent",
    "eventTime": "2025-01-01T07:00:22+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "epcList": [],
    "quantityList": [{"epcClass": LOT_A, "quantity": 100, "uom": "KGM"}],
    "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:1:HT-1"}],
    "sourceList": [{"type": "owning_party", "source": SELLER}],
    "destinationList": [{"type": "owning_party", "destination": BUYER}],
    "rt:unitPrice": "42.00",
    "rt:currency": "CNY",
    "errorDeclaration": {
        "declarationTime": "2025-01-02T00:00:00+08:00",
        "reason": "incorrect_data",
        "correctiveEventIDs": [HASH],
        "rt:reason": "weighed again",
    },
}
TRANSFORM = {
    "type": "TransformationEvent",
    "eventTime": "2025-01-02T07:15:49+08:00",
    "eventTimeZoneOffset": "+08:00",
    "bizStep": "commissioning",
    "inputQuantityList": [{"epcClass": LOT_A, "quantity": 1000, "uom": "KGM"}],
    "outputQuantityList": [{"epcClass": LOT_B, "quantity": 225.222, "uom": "KGM"}],
    "ilmd": {"rt:compositions": {"RT000006G35122I": {"La": "0.85"}}},
    "rt:process": "separation",
}
E12 = "{urn:epcglobal:epcis:xsd:1}"
RT = "{https://ns.reetrace.org/epcis/}"


def test_object_event_in_epcis12_syntax():
    root = ET.fromstring(epcis12_xml(document(MINE)))
    assert root.tag == E12 + "EPCISDocument" and root.get("schemaVersion") == "1.2"
    (event,) = root.find("EPCISBody/EventList")
    assert event.tag == "ObjectEvent"
    order = [child.tag for child in event]
    assert order == [
        "eventTime",
        "eventTimeZoneOffset",
        "baseExtension",
        "epcList",
        "action",
        "bizStep",
        "disposition",
        "bizLocation",
        "extension",
    ]
    assert event.findtext("baseExtension/eventID") == HASH
    assert event.findtext("bizStep") == "urn:epcglobal:cbv:bizstep:commissioning"
    assert event.findtext("disposition") == "urn:epcglobal:cbv:disp:active"
    assert event.findtext("bizLocation/id") == "urn:epc:id:sgln:6975000.00003.0"
    element = event.find("extension/quantityList/quantityElement")
    assert element.findtext("epcClass") == "urn:epc:class:lgtin:6975000.000001.RT000006G35113K"
    assert (element.findtext("quantity"), element.findtext("uom")) == ("38585.499", "KGM")
    ilmd = event.find("extension/ilmd")
    assert ilmd.findtext(RT + "quota") == "Q2025-1"
    assert ilmd.findtext(f"{RT}composition/{RT}Ce") == "0.22"


def test_lists_error_declaration_and_extension_fields():
    (event,) = ET.fromstring(epcis12_xml(document(SHIP))).find("EPCISBody/EventList")
    transaction = event.find("bizTransactionList/bizTransaction")
    assert transaction.get("type") == "urn:epcglobal:cbv:btt:po"
    assert transaction.text == "urn:epcglobal:cbv:bt:1:HT-1"
    source = event.find("extension/sourceList/source")
    assert source.get("type") == "urn:epcglobal:cbv:sdt:owning_party"
    assert source.text == "urn:epc:id:pgln:6975000.00001"
    assert event.findtext("extension/destinationList/destination") == (
        "urn:epc:id:pgln:6975000.00002"
    )
    declaration = event.find("baseExtension/errorDeclaration")
    assert declaration.findtext("reason") == "urn:epcglobal:cbv:er:incorrect_data"
    assert declaration.findtext("correctiveEventIDs/correctiveEventID") == HASH
    assert declaration.findtext(RT + "reason") == "weighed again"
    # extension fields come after the standard ones
    assert [c.tag for c in event][-2:] == [RT + "unitPrice", RT + "currency"]


def test_transformation_event_is_wrapped_in_the_event_lists_extension():
    body = ET.fromstring(epcis12_xml(document(MINE, TRANSFORM))).find("EPCISBody/EventList")
    assert [child.tag for child in body] == ["ObjectEvent", "extension"]
    event = body.find("extension/TransformationEvent")
    assert event.findtext("inputQuantityList/quantityElement/quantity") == "1000"
    assert event.findtext("outputQuantityList/quantityElement/epcClass").endswith(
        "6975000.000002.RT000006G35122I"
    )
    assert event.findtext(f"ilmd/{RT}compositions/{RT}RT000006G35122I/{RT}La") == "0.85"
    assert event.findtext(RT + "process") == "separation"


def test_what_epcis12_cannot_say_is_refused_by_event_and_field():
    sensor = MINE | {"sensorElementList": [{"sensorReport": []}]}
    with pytest.raises(Epcis12Refused, match="event 1: sensorElementList"):
        epcis12_xml(document(MINE, sensor))
    with pytest.raises(Epcis12Refused, match="event 0: type: EPCIS 1.2 has no AssociationEvent"):
        epcis12_xml(document(MINE | {"type": "AssociationEvent"}))
    with pytest.raises(Epcis12Refused, match="event 0: unknownField"):
        epcis12_xml(document(MINE | {"unknownField": 1}))


def test_keys_outside_reetraces_prefix_are_kept_as_sent():
    other = "https://id.gs1.org/01/04012345111118/10/ABC"
    assert epc_urn(other) == other
    assert epc_urn(SELLER) == "urn:epc:id:pgln:6975000.00001"


def test_the_peer_stores_the_same_events(tmp_path, capfd):
    xml = epcis12_xml(document(MINE, SHIP, TRANSFORM))
    venv = CONFIG.var_dir / "bench" / "peer-venv"
    stored = peer_capture([xml], tmp_path / "peer", None, venv=venv)
    if stored["ran"]:
        # one quantity element per object event, the input and the output of the other
        assert (stored["events"], stored["quantity_elements"]) == (3, 4)
    else:
        # the offline case: the reason, printed
        assert stored["why"] and stored["why"] in capfd.readouterr().out
