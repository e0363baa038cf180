"""Is a document EPCIS 2.0? GS1's JSON schema, the CBV vocabularies, and event shape.

Each problem names the event (its index in the event list) and the field, as every
refusal in reetrace does, so a sender's developer can find it: the schema's own
errors are mostly "not valid under any of the given schemas", so we descend into
the branch for the event's type and report the leaf that failed. The schema is
GS1's file (`CONFIG.epcis_schema`), read once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from reetrace.conf import CONFIG
from reetrace.epcis.tree import EVENT_TYPES, read_document
from reetrace.epcis.vocabulary import FIELD_VOCABULARIES, Vocabulary

__all__ = ["Problem", "SchemaUnavailable", "document_problems", "tree_problems"]

MAX_PROBLEMS = 50
REQUIRED = re.compile(r"^'([^']+)' is a required property")


class SchemaUnavailable(RuntimeError):
    """GS1's EPCIS JSON schema is not where the configuration says."""


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a document is not valid EPCIS 2.0."""

    index: int | None  # the event's position in eventList; None for the document
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


@cache
def _schema() -> dict:
    try:
        return json.loads(CONFIG.epcis_schema.read_text())
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(
            f"the EPCIS JSON schema could not be read from {CONFIG.epcis_schema} "
            f"(REETRACE_EPCIS_SCHEMA): {exc}"
        ) from exc


@cache
def _validator() -> Draft7Validator:
    return Draft7Validator(_schema(), format_checker=FormatChecker())


@cache
def _event_validator() -> Draft7Validator:
    """The schema's rule for one member of an event list, to check events one by one."""
    schema = {"$ref": "#/definitions/EPCIS-Document-Event", "definitions": _schema()["definitions"]}
    return Draft7Validator(schema, format_checker=FormatChecker())


# Fields the schema constrains only as strings of an unchecked format (uri, date-time)
# or as numbers: events that differ only there are valid or invalid alike, so one
# check serves them all (a document of 1,000 origins is checked once, not 1,000 times).
FREE_STRINGS = frozenset(
    {
        "eventTime",
        "recordTime",
        "eventID",
        "epcClass",
        "parentID",
        "id",
        "bizTransaction",
        "source",
        "destination",
        "declarationTime",
        "creationDate",
    }
)
FREE_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})


def _shape(value, key: str | None = None):
    """`value` with its free values replaced by placeholders of the same type. The
    value of a sender's own field (a key with a namespace prefix, as `rt:quota` at the
    event's level or in its ILMD) is free whatever it holds: the schema checks such a
    field's name, never its value."""
    if isinstance(value, dict):
        return {k: "x" if ":" in k else _shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in FREE_LISTS and all(isinstance(v, str) for v in value):
            first: dict = {}
            return [f"s{first.setdefault(v, len(first))}" for v in value]
        return [_shape(v) for v in value]
    if key in FREE_STRINGS and isinstance(value, str):
        return "s"
    if key == "quantity" and isinstance(value, int | float) and not isinstance(value, bool):
        return 0
    return value


def _event_lists(document: dict) -> list[list]:
    body = document.get("epcisBody")
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("eventList"), list):
        return [body["eventList"]]
    results = body.get("queryResults", {})
    events = results.get("resultsBody", {}).get("eventList") if isinstance(results, dict) else None
    return [events] if isinstance(events, list) else []


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The innermost errors, within the branch written for the event's type."""
    if not error.context:
        return [error]
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)
    relevant = [
        subs
        for subs in branches.values()
        if not any(s.absolute_path and s.absolute_path[-1] == "type" for s in subs)
    ] or list(branches.values())
    best = min(relevant, key=len)
    return [leaf for sub in best for leaf in _leaves(sub)]


def _located(leaf: ValidationError) -> tuple[int | None, str, str]:
    path = list(leaf.absolute_path)
    index = None
    if len(path) >= 3 and path[1] == "eventList" and isinstance(path[2], int):
        index, path = path[2], path[3:]
    elif "eventList" in path:
        at = path.index("eventList")
        if at + 1 < len(path) and isinstance(path[at + 1], int):
            index, path = path[at + 1], path[at + 2 :]
    message = leaf.message
    if leaf.validator == "required" and (match := REQUIRED.match(leaf.message)):
        path = [*path, match[1]]
        message = f"{match[1]} is required"
    elif "propertyNames" in leaf.schema_path and isinstance(leaf.instance, str):
        path = [*path, leaf.instance]
        message = f"{leaf.instance} is not a field of this event type"
    elif leaf.validator == "type":
        message = f"{leaf.instance!r} is not a {leaf.validator_value}"
    return index, ".".join(str(p) for p in path) or "document", message


def _vocabulary_problems(index: int, event: dict) -> list[Problem]:
    problems = []

    def check(vocabulary: Vocabulary, value, field: str) -> None:
        if isinstance(value, str) and vocabulary.term(value) is None and ":" not in value:
            problems.append(
                Problem(
                    index,
                    field,
                    f"{value!r} is no CBV {vocabulary.name} term (a term of your own must "
                    "be a URI in your namespace)",
                )
            )

    for (parent, name), vocabulary in FIELD_VOCABULARIES.items():
        if parent is None:
            check(vocabulary, event.get(name), name)
            continue
        holders = {
            "persistentDisposition": [("persistentDisposition", event.get(parent))],
            "errorDeclaration": [("errorDeclaration", event.get(parent))],
            "bizTransaction": _members(event, "bizTransactionList"),
            "source": _members(event, "sourceList"),
            "destination": _members(event, "destinationList"),
            "sensorReport": [
                (f"sensorElementList.{i}.sensorReport.{j}", report)
                for i, element in _members(event, "sensorElementList", indexed=True)
                for j, report in enumerate(element.get("sensorReport") or [])
            ],
        }[parent]
        for where, holder in holders:
            if not isinstance(holder, dict):
                continue
            values = holder.get(name)
            for value in values if isinstance(values, list) else [values]:
                check(vocabulary, value, f"{where}.{name}")
    return problems


def _members(event: dict, key: str, *, indexed: bool = False) -> list:
    items = event.get(key)
    if not isinstance(items, list):
        return []
    return [
        (i if indexed else f"{key}.{i}", item)
        for i, item in enumerate(items)
        if isinstance(item, dict)
    ]


# Shapes already checked, across documents (the schema is read once per process):
# many small documents of similar events cost one check per shape, not per document.
SHAPES_KEPT = 4096
_checked_shapes: dict[str, list[tuple[str, str]]] = {}


def _event_schema_problems(index: int, event, memo: dict) -> list[Problem]:
    found = _shape_problems("event", event, _event_validator(), memo)
    return [Problem(index, field, message) for _, field, message in found]


def _envelope_problems(document: dict, memo: dict) -> list[Problem]:
    """The schema's problems outside the events, checked once per envelope shape: a
    sender's documents differ there only in their creation date."""
    return [Problem(*found) for found in _shape_problems("envelope", document, _validator(), memo)]


def _shape_problems(kind: str, value, validator: Draft7Validator, memo: dict) -> list[tuple]:
    """(index, field, message) of the schema's problems with `value`, kept by its shape."""
    key = kind + json.dumps(_shape(value), sort_keys=True, default=str)
    if key not in memo:
        if len(memo) >= SHAPES_KEPT:
            memo.clear()
        memo[key] = [
            _located(leaf) for error in validator.iter_errors(value) for leaf in _leaves(error)
        ]
    return memo[key]


def _envelope(document: dict) -> dict:
    """The document with empty event lists: what the schema says outside the events."""
    body = document.get("epcisBody")
    if not isinstance(body, dict):
        return document
    body = dict(body)
    if isinstance(body.get("eventList"), list):
        body["eventList"] = []
    results = body.get("queryResults")
    if isinstance(results, dict) and isinstance(results.get("resultsBody"), dict):
        inner = dict(results["resultsBody"])
        if isinstance(inner.get("eventList"), list):
            inner["eventList"] = []
        body["queryResults"] = dict(results) | {"resultsBody": inner}
    return dict(document) | {"epcisBody": body}


def document_problems(document) -> list[Problem]:
    """Every problem found in a parsed JSON(-LD) document, in event order; [] if valid."""
    if not isinstance(document, dict):
        return [Problem(None, "document", "an EPCIS document is a JSON object")]
    found: set[Problem] = set(_envelope_problems(_envelope(document), _checked_shapes))
    for events in _event_lists(document):
        for index, event in enumerate(events):
            found.update(_event_schema_problems(index, event, _checked_shapes))
            if not isinstance(event, dict):
                continue
            if event.get("type") not in EVENT_TYPES:
                found.add(Problem(index, "type", f"{event.get('type')!r} is no EPCIS event type"))
            if event.get("type") == "TransformationEvent" and "action" in event:
                found.add(Problem(index, "action", "a TransformationEvent has no action"))
            found.update(_vocabulary_problems(index, event))
    ordered = sorted(found, key=lambda p: (p.index if p.index is not None else -1, p.field))
    return ordered[:MAX_PROBLEMS]


def tree_problems(data: bytes) -> list[Problem]:
    """What can be checked of an XML document without its XSD: the event types, the
    two times every event must carry and the CBV terms."""
    problems: list[Problem] = []
    for index, event in enumerate(read_document(data, syntax="xml")):
        names = {node.name: node for node in event.fields}
        if event.event_type not in EVENT_TYPES:
            problems.append(Problem(index, "type", f"{event.event_type!r} is no EPCIS event type"))
        for required in ("eventTime", "eventTimeZoneOffset"):
            if not names.get(required) or not names[required].value:
                problems.append(Problem(index, required, f"{required} is required"))
        if event.event_type == "TransformationEvent" and "action" in names:
            problems.append(Problem(index, "action", "a TransformationEvent has no action"))
        for name in ("bizStep", "disposition"):
            node = names.get(name)
            vocabulary = FIELD_VOCABULARIES[(None, name)]
            if node and vocabulary.term(node.value) is None and ":" not in node.value:
                problems.append(
                    Problem(index, name, f"{node.value!r} is no CBV {vocabulary.name} term")
                )
    return problems[:MAX_PROBLEMS]
