"""EPCIS events as one neutral tree, whichever syntax they arrived in.

JSON-LD and XML spell the same event differently: a list is an array in one and
repeated child elements in the other, a business transaction's type is a key in one
and an attribute in the other, extension fields are compact IRIs (`example:myField`)
in one and namespaced elements in the other, EPCIS 1.x XML wraps newer fields in
`<extension>`. The readers here turn both into `Node` trees that spell everything the
XML way with extension names as `{namespace}local`, so the Event Hash ID
(`canonical.py`) is computed over one shape and the XML and JSON twins of an event
hash the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree

from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = [
    "EpcisSyntaxError",
    "Node",
    "TreeEvent",
    "context_prefixes",
    "json_document_events",
    "read_document",
]

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
# JSON list fields and the XML element each of their members is.
LIST_MEMBERS = {
    "epcList": "epc",
    "inputEPCList": "epc",
    "outputEPCList": "epc",
    "childEPCs": "epc",
    "quantityList": "quantityElement",
    "childQuantityList": "quantityElement",
    "inputQuantityList": "quantityElement",
    "outputQuantityList": "quantityElement",
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
    "sensorElementList": "sensorElement",
    "correctiveEventIDs": "correctiveEventID",
}
# Members written as a value with a `type` beside it (an attribute in XML).
TYPED_MEMBERS = frozenset({"bizTransaction", "source", "destination"})
# Prefixes every EPCIS 2.0 JSON-LD document has from the standard context.
STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
COMMENT_FIELDS = frozenset({"comment", "{http://www.w3.org/2000/01/rdf-schema#}comment"})


class EpcisSyntaxError(ReetraceError):
    """A document that is neither EPCIS JSON(-LD) nor EPCIS XML we can read."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(ErrorCode.INVALID, message, field=field)


@dataclass
class Node:
    """One field: its name, its text ('' when it has none) and its sub-fields."""

    name: str
    value: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class TreeEvent:
    """One event of a document: its type and fields, and the fields the sender ignores."""

    event_type: str
    fields: list[Node]
    ignored: frozenset[str] = frozenset()
    source: dict | None = None  # the JSON object as sent (None for XML)


def read_document(data: bytes | str, *, syntax: str | None = None) -> list[TreeEvent]:
    """The events of an EPCIS document (or query document) in document order."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    if syntax is None:
        syntax = "xml" if text.lstrip().startswith("<") else "json"
    if syntax == "xml":
        return _xml_events(text)
    return _json_events(text)


# --- JSON-LD ---------------------------------------------------------------------


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def context_prefixes(context) -> dict[str, str]:
    found = dict(STANDARD_PREFIXES)
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            found.update({k: v for k, v in entry.items() if isinstance(v, str)})
    return found


def _expand(name: str, prefixes: dict[str, str]) -> str:
    """A JSON key as the XML-style name: `example:f` -> `{https://ns.example.com/}f`."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return "{" + prefixes[prefix] + "}" + local
    return name


def _json_nodes(name: str, value, prefixes: dict[str, str]) -> list[Node]:
    if isinstance(value, list):
        member = LIST_MEMBERS.get(name)
        if member is None:
            return [n for item in value for n in _json_nodes(name, item, prefixes)]
        children = [n for item in value for n in _json_nodes(member, item, prefixes)]
        return [Node(name, "", children)]
    if isinstance(value, dict):
        if "@value" in value:
            return [Node(name, _scalar(value["@value"]))]
        if name in TYPED_MEMBERS:
            own = value.get(name, "")
            rest = {k: v for k, v in value.items() if k != name}
            return [Node(name, _scalar(own), _json_children(rest, prefixes))]
        return [Node(name, "", _json_children(value, prefixes))]
    if value is None:
        return []
    return [Node(name, _scalar(value))]


def _json_children(obj: dict, prefixes: dict[str, str]) -> list[Node]:
    nodes: list[Node] = []
    for key, value in obj.items():
        if key.startswith("@"):
            continue
        nodes += _json_nodes(_expand(key, prefixes), value, prefixes)
    return nodes


def _find_event_lists(obj, found: list) -> None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "eventList" and isinstance(value, list):
                found.append(value)
            else:
                _find_event_lists(value, found)
    elif isinstance(obj, list):
        for item in obj:
            _find_event_lists(item, found)


def _ignored_fields(obj, prefixes: dict[str, str]) -> frozenset[str]:
    """Fields a repository declares it adds itself (`...:ignoreFields`), anywhere above
    the events: they are no part of what the event says, so no part of its hash."""
    names: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key.rpartition(":")[2] == "ignoreFields" and isinstance(value, list):
                names |= {_expand(v, prefixes) for v in value if isinstance(v, str)}
            elif key != "eventList":
                names |= _ignored_fields(value, prefixes)
    return frozenset(names)


def _json_events(text: str) -> list[TreeEvent]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise EpcisSyntaxError(f"not JSON: {exc}", field="document") from exc
    return json_document_events(document)


def json_document_events(document) -> list[TreeEvent]:
    """The events of an already parsed JSON(-LD) document."""
    if not isinstance(document, dict):
        raise EpcisSyntaxError("an EPCIS document is a JSON object", field="document")
    prefixes = context_prefixes(document.get("@context", []))
    ignored = _ignored_fields(document, prefixes)
    lists: list = []
    _find_event_lists(document, lists)
    if not lists:
        raise EpcisSyntaxError("no epcisBody.eventList in the document", field="epcisBody")
    events = []
    for event_list in lists:
        for item in event_list:
            if not isinstance(item, dict):
                raise EpcisSyntaxError("an event is a JSON object", field="eventList")
            own = dict(prefixes) | context_prefixes(item.get("@context", []))
            fields = _json_children({k: v for k, v in item.items() if k != "type"}, own)
            events.append(TreeEvent(str(item.get("type", "")), fields, ignored, item))
    return events


# --- XML -------------------------------------------------------------------------


def _xml_name(tag: str) -> str:
    if tag.startswith("{"):
        return tag
    return tag


def _xml_children(element: ElementTree.Element) -> list[Node]:
    nodes: list[Node] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in {"extension", "baseExtension"}:
            nodes += _xml_children(child)
            continue
        nodes.append(_xml_node(child))
    return nodes


def _xml_node(element: ElementTree.Element) -> Node:
    attributes = [Node(_xml_name(k), v.strip()) for k, v in element.attrib.items()]
    return Node(
        _xml_name(element.tag), (element.text or "").strip(), attributes + _xml_children(element)
    )


def _xml_events(text: str) -> list[TreeEvent]:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        raise EpcisSyntaxError(f"not well-formed XML: {exc}", field="document") from exc
    ignored: set[str] = set()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rpartition("}")[2] == "ignoreFields":
            ignored |= {_xml_name(child.tag) for child in element}
    events = []
    lists = [e for e in root.iter() if e.tag == "EventList"]
    if not lists:
        raise EpcisSyntaxError("no EPCISBody/EventList in the document", field="EPCISBody")
    for event_list in lists:
        for element in event_list:
            # EPCIS 1.x wraps the newer event types in <extension>.
            candidates = list(element) if element.tag == "extension" else [element]
            for event in candidates:
                if isinstance(event.tag, str):
                    events.append(
                        TreeEvent(_xml_name(event.tag), _xml_children(event), frozenset(ignored))
                    )
    return events
