"""The CBV 2.0 Event Hash ID: reetrace's own implementation of the canonicalisation.

CBV 2.0 (section 8.9) names an event by the SHA-256 of a canonical "pre-hash
string", so that two systems that captured the same event, in XML or JSON-LD, with
identifiers as EPC URNs or Digital Links, give it the same ID without talking to each
other. The string is `eventType=...` followed by the standard fields in the order the
CBV fixes, each `name=value`, lists sorted, then every remaining (extension) field
sorted, recursively. Values are canonical: times in UTC at millisecond precision,
numbers without padding, CBV terms as web URIs, GS1 keys as `id.gs1.org` Digital
Links. `recordTime`, `eventID`, `errorDeclaration`, comments and the fields the
sending repository declares in `ignoreFields` are no part of the event's content.

The shared test vectors (`shared/standards/epcis-event-hash-vectors`) are what this
is checked against (`tests/epcis/test_hash_vectors.py`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from reetrace.epcis.identifiers import canonical_uri
from reetrace.epcis.tree import COMMENT_FIELDS, TYPED_MEMBERS, Node, TreeEvent, read_document
from reetrace.epcis.vocabulary import FIELD_VOCABULARIES

__all__ = ["event_hash_id", "hash_ids", "prehash"]

QUANTITY = [("epcClass", None), ("quantity", None), ("uom", None)]
SENSOR_METADATA = [
    (name, None)
    for name in (
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    )
]
SENSOR_REPORT = [
    (name, None)
    for name in (
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "time",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
        "coordinateReferenceSystem",
    )
]
# The CBV 2.0 field order: (field, order of its sub-fields or None).
EVENT_ORDER: list = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("epcList", [("epc", None)]),
    ("parentID", None),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", QUANTITY)]),
    ("childQuantityList", [("quantityElement", QUANTITY)]),
    ("inputQuantityList", [("quantityElement", QUANTITY)]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", QUANTITY)]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    (
        "sensorElementList",
        [("sensorElement", [("sensorMetadata", SENSOR_METADATA), ("sensorReport", SENSOR_REPORT)])],
    ),
]
NOT_CONTENT = frozenset({"recordTime", "eventID", "errorDeclaration"}) | COMMENT_FIELDS
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
TIME_FIELDS = frozenset({"eventTime", "time", "startTime", "endTime"})
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def canonical_time(text: str) -> str:
    """An xsd:dateTime in UTC, rounded half up to the millisecond, with `Z`."""
    match = TIMESTAMP.match(text)
    if not match:
        return text
    day, hour, minute, second, fraction, zone = match.groups()
    millis = (Decimal(fraction or "0") * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}")
    moment += timedelta(milliseconds=int(millis))
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    moment = moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical_number(text: str) -> str:
    """A number as the CBV 2.0 reference reads it: an IEEE double, integral values
    without a fraction (`26.0` -> `26`, `0012` -> `12`); other text unchanged.

    Through a double, as the shared vectors are computed: a 24-digit string of
    digits hashes as the double nearest to it, not as written.
    """
    if not NUMBER.fullmatch(text):
        return text
    number = float(text)
    if not math.isfinite(number):
        return text
    return str(int(number)) if number.is_integer() else repr(number)


def canonical_value(parent: str | None, name: str, text: str) -> str:
    vocabulary = FIELD_VOCABULARIES.get((parent, name))
    if vocabulary is not None:
        return vocabulary.uri(text)
    if name in TIME_FIELDS:
        return canonical_time(text)
    return canonical_uri(canonical_number(text))


def _is_extension(node: Node) -> bool:
    return node.name.startswith("{")


def _field(parent: str | None, node: Node, order: list | None) -> tuple[str, Node | None]:
    """(canonical text, what is left over) of one field.

    Under a field whose sub-fields the CBV orders, extension sub-fields follow the
    ordered ones in place; any other sub-field the order does not know is left over
    and goes, with the path to it, into the sorted tail of the event (as the shared
    vectors do for e.g. `bizRules` inside a `sensorReport`).
    """
    value = canonical_value(parent, node.name, node.value) if node.value else ""
    if node.name in TYPED_MEMBERS and parent is not None:
        kinds = [c for c in node.children if c.name == "type"]
        rest = [c for c in node.children if c.name != "type"]
        head = "".join(_field(node.name, k, None)[0] for k in kinds)
        own = f"{node.name}={value}" if value else ""
        return (head + own + _generic(node.name, rest) if (head or own) else ""), None
    if order is None:
        inner, left = _generic(node.name, node.children), []
    else:
        inner, left = _ordered(node.name, node.children, order)
        inner += _generic(node.name, [c for c in left if _is_extension(c)])
        left = [c for c in left if not _is_extension(c)]
    text = node.name + (f"={value}" if value else "") + inner if (value or inner) else ""
    return text, (Node(node.name, "", left) if left else None)


def _ordered(parent: str | None, children: list[Node], order: list) -> tuple[str, list[Node]]:
    """The fields named in `order`, in that order, each group sorted; and the rest (the
    fields `order` does not name, then what the ordered ones left over). The children
    are grouped by name once: the event's order has twenty names."""
    by_name: dict[str, list[Node]] = defaultdict(list)
    for child in children:
        by_name[child.name].append(child)
    out: list[str] = []
    left_over: list[Node] = []
    for name, sub in order:
        rendered = [_field(parent, c, sub) for c in by_name.pop(name, ())]
        out += sorted(text for text, _ in rendered if text)
        left_over += [n for _, n in rendered if n]
    return "".join(out), [c for c in children if c.name in by_name] + left_over


def _generic(parent: str | None, children: list[Node]) -> str:
    return "".join(sorted(t for t in (_field(parent, c, None)[0] for c in children) if t))


def prehash(event: TreeEvent) -> str:
    """The canonical pre-hash string of one event."""
    skip = NOT_CONTENT | event.ignored
    fields = [f for f in event.fields if f.name not in skip]
    ordered, rest = _ordered(None, fields, EVENT_ORDER)
    return f"eventType={event.event_type}" + ordered + _generic(None, rest)


def event_hash_id(event: TreeEvent) -> str:
    digest = hashlib.sha256(prehash(event).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def hash_ids(data: bytes | str, *, syntax: str | None = None) -> list[str]:
    """The Event Hash ID of every event of a document, in document order."""
    return [event_hash_id(e) for e in read_document(data, syntax=syntax)]
