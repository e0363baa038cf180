"""Every example document of the standard is captured (and queryable) or refused with
a reason, and the reasons are the ones `docs/epcis.md` lists per file.

The examples name GS1 test companies' SGTINs, SSCCs and lots, not reetrace's lots: the
events that change no custody (observations, aggregation, association, sensor data)
are captured and stored; those that would move custody of something reetrace does
not hold are refused, naming the event and the field. A file added upstream and not
in the table fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reetrace.epcis.capture import CaptureRefused, document_capture
from reetrace.epcis.models import CaptureJob, EpcisEvent

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "shared/standards/gs1-epcis-2.0/examples"
DOCS = Path(__file__).resolve().parents[2] / "docs/epcis.md"
NOT_LOTS = "one quantityList element naming the lot's LGTIN"
NO_PROCESS = "a transformation needs its process"
NO_SHIPMENT = "no shipment of lot 998877"
NOT_HELD = "declares an error in an event reetrace does not hold"

# file -> None (captured) or a phrase of the refusal
OUTCOMES = {
    "AssociationEvent/AssociationEvent-a.jsonld": None,
    "AssociationEvent/AssociationEvent-b.jsonld": None,
    "AssociationEvent/AssociationEvent-c.jsonld": None,
    "AssociationEvent/AssociationEvent-d.jsonld": None,
    "AssociationEvent/AssociationEvent-e.jsonld": None,
    "AssociationEvent/AssociationEvent-f.jsonld": None,
    "AssociationEvent/AssociationEvent-g.jsonld": NOT_HELD,
    "AssociationEvent/AssociationEvent-h.jsonld": None,
    "EPCISQueryDocument.jsonld": NOT_LOTS,
    "Example-TransactionEvents-2020_07_03y.jsonld": None,
    "Example-Type-sourceOrDestination,measurement,bizTransaction.jsonld": None,
    "Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld": NOT_LOTS,
    "Example_9.6.1-ObjectEvent.jsonld": NOT_LOTS,
    "Example_9.6.1-with-comment.jsonld": NOT_LOTS,
    "Example_9.6.2-ObjectEvent.jsonld": NO_SHIPMENT,
    "Example_9.6.3-AggregationEvent.jsonld": None,
    "Example_9.6.4-TransformationEvent.jsonld": NO_PROCESS,
    "PersistentDisposition-example.jsonld": NOT_LOTS,
    "WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld": NOT_LOTS,
    "WithDigitalLinkID/Example_9.6.2-ObjectEventWithDigitalLink.jsonld": NO_SHIPMENT,
    "WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld": None,
    "WithDigitalLinkID/Example_9.6.4-TransformationEventWithDigitalLink.jsonld": NO_PROCESS,
    "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld": NOT_HELD,
    "WithErrorDeclaration/Example_9.6.1-ObjectEvent-with-error-declaration.jsonld": (NOT_HELD),
    "WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld": (NOT_HELD),
    "WithFullCombinationOfFields/association_event_all_possible_fields.jsonld": (NOT_HELD),
    "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld": NOT_HELD,
    "WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld": (NOT_HELD),
    "WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld": (NOT_HELD),
    "WithSensorData/SensorDataExample12.jsonld": NOT_HELD,
    **{
        f"WithSensorData/SensorDataExample{n}.jsonld": None
        for n in [
            "1",
            "1b",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "10",
            "11",
            "13",
            "14",
            "15",
            "16",
            "17",
        ]
    },
}


def test_the_table_covers_every_example_file():
    assert sorted(
        str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*") if p.is_file()
    ) == sorted(OUTCOMES)


def test_the_docs_list_every_file_with_its_outcome():
    listed = dict(re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", DOCS.read_text(), re.MULTILINE))
    for name, refusal in OUTCOMES.items():
        assert name in listed, name
        if refusal is None:
            assert listed[name].strip() == "captured", name
        else:
            assert listed[name].strip().startswith("refused"), name


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_example_is_captured_or_refused_with_its_reason(world, name):
    user = world.user_for(world.magnet_maker)
    job = CaptureJob.objects.create(submitted_by=user, reporter=world.magnet_maker)
    data = (EXAMPLES / name).read_bytes()
    refusal = OUTCOMES[name]
    if refusal is None:
        outcome = document_capture(
            user=user, data=data, content_type="application/ld+json", job=job
        )
        assert outcome.created
        served = world.client(world.magnet_maker).get(
            "/epcis/events", {"EQ_eventID": outcome.created[0]}
        )
        assert served.status_code == 200
        events = served.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert [e["eventID"] for e in events] == [outcome.created[0]]
        return
    with pytest.raises(CaptureRefused) as refused:
        document_capture(user=user, data=data, content_type="application/ld+json", job=job)
    errors = refused.value.errors
    assert errors and all(e["index"] is not None and e["field"] for e in errors)
    assert any(refusal in e["message"] for e in errors), errors
    assert EpcisEvent.objects.count() == 0
