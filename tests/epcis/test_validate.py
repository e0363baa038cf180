"""`reetrace epcis validate`: GS1's schema, the CBV, errors by event index and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from reetrace.epcis.validation import document_problems
from tests.cli.helpers import run, run_failing

EXAMPLES = Path(__file__).resolve().parents[3] / "shared/standards/gs1-epcis-2.0/examples"
OBJECT_EVENTS = EXAMPLES / "Example_9.6.1-ObjectEvent.jsonld"


def _with_second_event(change) -> dict:
    document = json.loads(OBJECT_EVENTS.read_text())
    change(document["epcisBody"]["eventList"][1])
    return document


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.jsonld")), ids=lambda p: p.name)
def test_the_standards_examples_are_valid(path):
    assert document_problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda e: e.pop("eventTime"), "eventTime", "required"),
        (lambda e: e.pop("eventTimeZoneOffset"), "eventTimeZoneOffset", "required"),
        (lambda e: e.update(bizStep="shippin"), "bizStep", "no CBV bizStep term"),
        (lambda e: e.update(disposition="lost"), "disposition", "no CBV disposition term"),
        (
            lambda e: e.update(
                quantityList=[
                    {"epcClass": "urn:epc:class:lgtin:4012345.012345.9", "quantity": "ten"}
                ]
            ),
            "quantityList.0.quantity",
            "not a number",
        ),
        (lambda e: e.update(type="TransformationEvent"), "action", "has no action"),
        (lambda e: e.update(action="KEEP"), "action", "KEEP"),
    ],
)
def test_an_invalid_event_is_named_by_index_and_field(change, field, words):
    problems = document_problems(_with_second_event(change))
    assert any(p.index == 1 and p.field == field and words in p.message for p in problems), problems
    assert all(p.index == 1 for p in problems)


def test_a_term_in_a_namespace_of_ones_own_is_allowed():
    document = _with_second_event(lambda e: e.update(bizStep="https://ns.example.com/voc/refining"))
    assert document_problems(document) == []


def test_command_exits_non_zero_naming_event_and_field(tmp_path):
    path = tmp_path / "doc.jsonld"
    path.write_text(json.dumps(_with_second_event(lambda e: e.pop("eventTime"))))
    message, err = run_failing("epcis", "validate", str(path))
    assert "1 problem(s)" in message
    assert "event 1: eventTime: eventTime is required" in err


def test_command_accepts_a_valid_document():
    out, _ = run("epcis", "validate", str(OBJECT_EVENTS))
    assert "valid EPCIS 2.0" in out


def test_command_checks_xml_events(tmp_path):
    vectors = EXAMPLES.parents[1] / "epcis-event-hash-vectors/examples"
    source = (vectors / "persistentDisposition.xml").read_text()
    assert "<eventTimeZoneOffset>" in source
    path = tmp_path / "doc.xml"
    path.write_text(
        source.replace("<eventTimeZoneOffset>", "<ignored>").replace(
            "</eventTimeZoneOffset>", "</ignored>"
        )
    )
    message, err = run_failing("epcis", "validate", str(path))
    assert "event 0: eventTimeZoneOffset" in err
    run("epcis", "validate", str(vectors / "persistentDisposition.xml"))


def test_problems_stay_few_and_ordered():
    document = copy.deepcopy(json.loads(OBJECT_EVENTS.read_text()))
    for event in document["epcisBody"]["eventList"]:
        event.pop("eventTime")
    problems = document_problems(document)
    assert [p.index for p in problems] == [0, 1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("schemaVersion"), "schemaVersion"),
        (lambda d: d.update(creationDate=20250331), "creationDate"),
        (lambda d: d.update(epcisBody=[]), "epcisBody"),
    ],
)
def test_an_envelope_is_checked_once_per_shape_and_its_problems_kept(change, field):
    """The envelope's check is kept by its shape, as an event's is: a second document
    whose envelope differs only in its creation date gets the same problems, and a
    valid envelope is not taken for an invalid one of another shape."""
    first = json.loads(OBJECT_EVENTS.read_text())
    change(first)
    second = copy.deepcopy(first)
    if isinstance(second.get("creationDate"), str):
        second["creationDate"] = "2026-01-01T00:00:00Z"
    for document in (first, second):
        problems = document_problems(document)
        assert [(p.index, p.field) for p in problems if p.field.startswith(field)], problems
        assert all(p.index is None for p in problems)
    assert document_problems(json.loads(OBJECT_EVENTS.read_text())) == []
