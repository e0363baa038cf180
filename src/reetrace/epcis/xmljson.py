"""An EPCIS 2.0 XML document as its JSON-LD equivalent, so one path validates and maps.

Capture validates with GS1's JSON schema and maps JSON events; an XML document is
turned into the JSON-LD document that says the same (lists as arrays, attributes as
keys, namespaced extension elements as compact IRIs with their namespaces in the
`@context`). Event Hash IDs are computed from the XML as sent, not from this.
"""

from __future__ import annotations

from xml.etree import ElementTree

from reetrace.epcis.tree import LIST_MEMBERS, TYPED_MEMBERS, EpcisSyntaxError, Node, read_document
from reetrace.epcis.vocabulary import FIELD_VOCABULARIES

__all__ = ["CONTEXT_URL", "xml_document_as_json"]

CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NUMBERS = frozenset(
    {"quantity", "value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
OBJECTS = frozenset(
    {
        "readPoint",
        "bizLocation",
        "ilmd",
        "sensorMetadata",
        "persistentDisposition",
        "errorDeclaration",
        "quantityElement",
        "sensorElement",
    }
)
REPEATED = frozenset({"sensorReport", "set", "unset", "certificationInfo"})


class _Names:
    """Namespace URIs as prefixes of the generated context."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}

    def key(self, name: str) -> str:
        if not name.startswith("{"):
            return name
        namespace, _, local = name[1:].partition("}")
        if namespace not in self.prefixes:
            self.prefixes[namespace] = f"ns{len(self.prefixes) + 1}"
        return f"{self.prefixes[namespace]}:{local}"


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _value(parent: str | None, node: Node):
    vocabulary = FIELD_VOCABULARIES.get((parent, node.name))
    if vocabulary is not None:
        return vocabulary.term(node.value) or node.value
    if node.name in NUMBERS:
        return _number(node.value)
    if node.name == "booleanValue":
        return node.value.lower() == "true"
    return node.value


def _object(parent: str | None, nodes: list[Node], names: _Names) -> dict:
    out: dict = {}
    for node in nodes:
        key = names.key(node.name)
        if node.name in LIST_MEMBERS:
            out[key] = [_member(node.name, c, names) for c in node.children]
        elif node.name in REPEATED:
            out.setdefault(key, []).append(_plain(parent, node, names))
        elif key in out:
            existing = out[key] if isinstance(out[key], list) else [out[key]]
            out[key] = [*existing, _plain(parent, node, names)]
        else:
            out[key] = _plain(parent, node, names)
    return out


def _plain(parent: str | None, node: Node, names: _Names):
    if node.children or node.name in OBJECTS:
        return _object(node.name, node.children, names)
    return _value(parent, node)


def _member(list_name: str, node: Node, names: _Names):
    if node.name in TYPED_MEMBERS:
        member = {names.key(c.name): _value(node.name, c) for c in node.children}
        return member | {node.name: node.value}
    if node.children or node.name in OBJECTS:
        return _object(node.name, node.children, names)
    return node.value


def xml_document_as_json(data: bytes) -> dict:
    """The JSON-LD document an EPCIS XML document is."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise EpcisSyntaxError(f"not well-formed XML: {exc}", field="document") from exc
    names = _Names()
    events = []
    for event in read_document(data, syntax="xml"):
        body = _object(None, event.fields, names)
        events.append({"type": event.event_type, **body})
    context: list = [CONTEXT_URL]
    if names.prefixes:
        context.append({prefix: ns for ns, prefix in names.prefixes.items()})
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": root.get("creationDate", ""),
        "epcisBody": {"eventList": events},
    }
