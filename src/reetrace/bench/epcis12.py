"""EPCIS 2.0 JSON-LD documents rewritten as EPCIS 1.2 XML, for the bench's peer.

QU4RTET's `quartet-epcis` reads EPCIS 1.2 XML only, so the bench gives it the very
documents it sends to `/epcis/capture`, in 1.2 syntax: a `TransformationEvent`
wrapped in the event list's `<extension>`; `quantityList`, `sourceList`,
`destinationList` and `ilmd` of an object or transaction event inside its
`<extension>`; `eventID` and `errorDeclaration` inside `<baseExtension>`; CBV 2.0's
bare words as the 1.2 URNs (`shipping` -> `urn:epcglobal:cbv:bizstep:shipping`);
reetrace's GS1 keys (Digital Links under its company prefix) as the EPC URNs 1.2
expects; fields of a sender's namespace as elements of that namespace, objects as
nested elements. A 2.0 feature 1.2 has no place for (sensors, certifications,
persistent dispositions, association events) is refused, naming the event and field,
rather than dropped. A bench tool: no product feature writes EPCIS 1.2.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from reetrace.epcis.scheme import COMPANY_PREFIX
from reetrace.epcis.tree import context_prefixes

__all__ = ["epcis12_xml"]

EPCIS12_NAMESPACE = "urn:epcglobal:epcis:xsd:1"
CBV_WORDS = {
    "bizStep": "urn:epcglobal:cbv:bizstep:",
    "disposition": "urn:epcglobal:cbv:disp:",
    "reason": "urn:epcglobal:cbv:er:",
}
LIST_TYPES = {
    "bizTransactionList": "urn:epcglobal:cbv:btt:",
    "sourceList": "urn:epcglobal:cbv:sdt:",
    "destinationList": "urn:epcglobal:cbv:sdt:",
}
# The 1.2 schema's element order per event type; `extension` holds the 1.1/1.2
# additions (the EventList's own extension wraps a TransformationEvent).
HEAD = ("eventTime", "recordTime", "eventTimeZoneOffset")
ORDER = {
    "ObjectEvent": ("epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation"),
    "AggregationEvent": (
        "parentID",
        "childEPCs",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
    ),
    "TransactionEvent": (
        "bizTransactionList",
        "parentID",
        "epcList",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
    ),
    "TransformationEvent": (
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "ilmd",
    ),
}
TAIL = {"ObjectEvent": ("bizTransactionList",), "AggregationEvent": ("bizTransactionList",)}
EXTENSION = {
    "ObjectEvent": ("quantityList", "sourceList", "destinationList", "ilmd"),
    "AggregationEvent": ("childQuantityList", "sourceList", "destinationList"),
    "TransactionEvent": ("quantityList", "sourceList", "destinationList"),
    "TransformationEvent": (),
}
EPC_LISTS = {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}
QUANTITY_LISTS = {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
NO_EPCIS12 = {
    "sensorElementList",
    "persistentDisposition",
    "certificationInfo",
}
NOT_EXTENSIONS = {"type", "eventID", "errorDeclaration", "@context"}
LGTIN_LINK = re.compile(r"^https://id\.gs1\.org/01/0" + COMPANY_PREFIX + r"(\d{5})\d/10/(.+)$")
GLN_LINK = re.compile(r"^https://id\.gs1\.org/(417|414)/" + COMPANY_PREFIX + r"(\d{5})\d$")


class Epcis12Refused(ValueError):
    """A 2.0 event with something EPCIS 1.2 cannot say."""


def epc_urn(key: str) -> str:
    """reetrace's LGTINs, PGLNs and SGLNs as EPC URNs (its company prefix is seven
    digits); any other key is left as sent, a URI 1.2 also takes."""
    if match := LGTIN_LINK.match(key):
        return f"urn:epc:class:lgtin:{COMPANY_PREFIX}.0{match[1]}.{match[2]}"
    if match := GLN_LINK.match(key):
        if match[1] == "417":
            return f"urn:epc:id:pgln:{COMPANY_PREFIX}.{match[2]}"
        return f"urn:epc:id:sgln:{COMPANY_PREFIX}.{match[2]}.0"
    return key


def _cbv(prefix: str, value: str) -> str:
    return value if ":" in value else prefix + value


class _Writer:
    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes

    def name(self, key: str, parent_namespace: str | None = None) -> str:
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.prefixes:
            return "{" + self.prefixes[prefix] + "}" + local
        return "{" + parent_namespace + "}" + key if parent_namespace else key

    def uri(self, value: str) -> str:
        """A compact IRI of the document's context (`rt:btt/x`) as the full URI."""
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def extension(self, parent: ET.Element, key: str, value, namespace: str | None) -> None:
        tag = self.name(key, namespace)
        own = tag[1:].split("}", 1)[0] if tag.startswith("{") else None
        if isinstance(value, list):
            for item in value:
                self.extension(parent, key, item, namespace)
            return
        element = ET.SubElement(parent, tag)
        if isinstance(value, dict):
            for child_key, child in value.items():
                self.extension(element, child_key, child, own)
        else:
            element.text = _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _where(index: int, field: str) -> str:
    return f"event {index}: {field}"


def _quantities(parent: ET.Element, tag: str, elements: list[dict]) -> None:
    holder = ET.SubElement(parent, tag)
    for element in elements:
        quantity = ET.SubElement(holder, "quantityElement")
        ET.SubElement(quantity, "epcClass").text = epc_urn(element["epcClass"])
        if "quantity" in element:
            ET.SubElement(quantity, "quantity").text = _text(element["quantity"])
        if "uom" in element:
            ET.SubElement(quantity, "uom").text = element["uom"]


def _standard(parent: ET.Element, key: str, value, writer: _Writer) -> None:
    if key in EPC_LISTS:
        holder = ET.SubElement(parent, key)
        for epc in value:
            ET.SubElement(holder, "epc").text = epc_urn(epc)
    elif key in QUANTITY_LISTS:
        _quantities(parent, key, value)
    elif key in LIST_TYPES:
        holder = ET.SubElement(parent, key)
        member = {"bizTransactionList": "bizTransaction"}.get(key, key.removesuffix("List"))
        for entry in value:
            element = ET.SubElement(holder, member)
            if "type" in entry:
                element.set("type", writer.uri(_cbv(LIST_TYPES[key], entry["type"])))
            element.text = epc_urn(writer.uri(entry[member]))
    elif key in ("readPoint", "bizLocation"):
        ET.SubElement(ET.SubElement(parent, key), "id").text = epc_urn(value["id"])
    elif key == "ilmd":
        ilmd = ET.SubElement(parent, "ilmd")
        for name, item in value.items():
            writer.extension(ilmd, name, item, None)
    elif key in CBV_WORDS:
        ET.SubElement(parent, key).text = writer.uri(_cbv(CBV_WORDS[key], value))
    elif key in ("parentID", "transformationID"):
        ET.SubElement(parent, key).text = epc_urn(value)
    else:
        ET.SubElement(parent, key).text = _text(value)


def _base_extension(parent: ET.Element, event: dict, writer: _Writer) -> None:
    if "eventID" not in event and "errorDeclaration" not in event:
        return
    base = ET.SubElement(parent, "baseExtension")
    if "eventID" in event:
        ET.SubElement(base, "eventID").text = event["eventID"]
    declaration = event.get("errorDeclaration")
    if declaration is None:
        return
    element = ET.SubElement(base, "errorDeclaration")
    ET.SubElement(element, "declarationTime").text = declaration["declarationTime"]
    if "reason" in declaration:
        ET.SubElement(element, "reason").text = _cbv(CBV_WORDS["reason"], declaration["reason"])
    if declaration.get("correctiveEventIDs"):
        ids = ET.SubElement(element, "correctiveEventIDs")
        for corrective in declaration["correctiveEventIDs"]:
            ET.SubElement(ids, "correctiveEventID").text = corrective
    for key, value in declaration.items():
        if key not in ("declarationTime", "reason", "correctiveEventIDs"):
            writer.extension(element, key, value, None)


def _event(event_list: ET.Element, index: int, event: dict, writer: _Writer) -> None:
    kind = event.get("type")
    if kind not in ORDER:
        raise Epcis12Refused(_where(index, f"type: EPCIS 1.2 has no {kind}"))
    for field in NO_EPCIS12 & event.keys():
        raise Epcis12Refused(_where(index, f"{field}: EPCIS 1.2 has no place for it"))
    if kind == "TransformationEvent":
        element = ET.SubElement(ET.SubElement(event_list, "extension"), kind)
    else:
        element = ET.SubElement(event_list, kind)
    for key in HEAD:
        if key in event:
            ET.SubElement(element, key).text = event[key]
    _base_extension(element, event, writer)
    placed = set(HEAD) | NOT_EXTENSIONS
    for key in (*ORDER[kind], *TAIL.get(kind, ())):
        if key in event:
            _standard(element, key, event[key], writer)
        placed.add(key)
    wrapped = [key for key in EXTENSION[kind] if key in event]
    if wrapped:
        extension = ET.SubElement(element, "extension")
        for key in wrapped:
            _standard(extension, key, event[key], writer)
    placed |= set(EXTENSION[kind])
    for key, value in event.items():
        if key in placed:
            continue
        if ":" not in key or key.partition(":")[0] not in writer.prefixes:
            raise Epcis12Refused(_where(index, f"{key}: no EPCIS 1.2 form"))
        writer.extension(element, key, value, None)


def epcis12_xml(document: dict) -> bytes:
    """The EPCIS 1.2 XML of an EPCIS 2.0 JSON-LD document, events in the same order."""
    prefixes = {
        prefix: uri
        for prefix, uri in context_prefixes(document.get("@context", [])).items()
        if uri.startswith(("http://", "https://", "urn:")) and prefix not in ("epcis", "cbv")
    }
    for prefix, uri in prefixes.items():
        ET.register_namespace(prefix, uri)
    ET.register_namespace("epcis", EPCIS12_NAMESPACE)
    writer = _Writer(prefixes)
    root = ET.Element(
        f"{{{EPCIS12_NAMESPACE}}}EPCISDocument",
        {"schemaVersion": "1.2", "creationDate": document["creationDate"]},
    )
    event_list = ET.SubElement(ET.SubElement(root, "EPCISBody"), "EventList")
    for index, event in enumerate(document["epcisBody"]["eventList"]):
        _event(event_list, index, event, writer)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
