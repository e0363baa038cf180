"""GET /epcis/events and friends: the standard parameters, paging, scoping, schema."""

from __future__ import annotations

import pytest

from reetrace.epcis.scheme import lot_lgtin
from reetrace.epcis.validation import document_problems
from reetrace.ledger.models import Event
from tests.factories.chain import MAGNET, A

pytestmark = pytest.mark.django_db


def _events(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert document_problems(body) == []
    return body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_every_ledger_event_is_served_and_valid(chain):
    api = chain.client("regulator")
    events = _events(api.get("/epcis/events", {"perPage": 1000}))
    assert len(events) == Event.objects.count()
    assert all(e["eventID"].startswith("ni:///sha-256;") for e in events)


def test_standard_parameters_filter(chain):
    api = chain.client("regulator")
    shipments = _events(api.get("/epcis/events", {"EQ_bizStep": "shipping", "perPage": 100}))
    assert shipments and all(e["bizStep"] == "shipping" for e in shipments)
    transformations = _events(api.get("/epcis/events", {"eventType": "TransformationEvent"}))
    assert len(transformations) == Event.objects.filter(kind="transform").count() > 1
    of_lot_a = _events(
        api.get("/epcis/events", {"MATCH_anyEPCClass": lot_lgtin(A, "ORE-BASTNAESITE")})
    )
    assert {e.get("bizStep") for e in of_lot_a} == {"commissioning", "shipping", "receiving"}
    as_input = _events(
        api.get("/epcis/events", {"MATCH_inputEPCClass": lot_lgtin(A, "ORE-BASTNAESITE")})
    )
    assert [e["type"] for e in as_input] == ["TransformationEvent"]
    early = _events(api.get("/epcis/events", {"LT_eventTime": "2025-03-02T00:00:00+08:00"}))
    assert {e["bizStep"] for e in early} == {"commissioning"}
    departing = _events(api.get("/epcis/events", {"EQ_bizStep": "departing"}))
    assert len(departing) == 1 and departing[0]["rt:hsCode"] == "8505111000"


def test_paging_with_link_next(chain):
    api = chain.client("regulator")
    first = api.get("/epcis/events", {"perPage": 5})
    seen = [e["eventID"] for e in _events(first)]
    link = first["Link"]
    assert link.endswith('rel="next"')
    url = link[1 : link.index(">")]
    second = api.get(url)
    more = [e["eventID"] for e in _events(second)]
    assert len(seen) == 5 and more and not set(seen) & set(more)


def test_unknown_parameter_is_a_400_problem(chain):
    response = chain.client("regulator").get("/epcis/events", {"EQ_colour": "red"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "EQ_colour" in response.json()["title"]


def test_an_enterprise_sees_its_own_and_shipments_to_it(chain):
    events = _events(chain.client(chain.metal_maker).get("/epcis/events", {"perPage": 100}))
    from reetrace.epcis.scheme import party_uri

    own = party_uri(chain.metal_maker)
    for event in events:
        parties = [s["source"] for s in event.get("sourceList", [])] + [
            d["destination"] for d in event.get("destinationList", [])
        ]
        assert event["bizStep"] != "commissioning" or event["type"] == "TransformationEvent"
        if event.get("bizStep") == "shipping":
            assert own in parties
    assert not any(e.get("bizStep") == "departing" for e in events)


def test_single_event_and_epc_resources(chain):
    api = chain.client("regulator")
    events = _events(api.get("/epcis/events", {"EQ_bizStep": "departing"}))
    event_id = events[0]["eventID"]
    one = _events(api.get(f"/epcis/events/{event_id.replace('?', '%3F')}"))
    assert [e["eventID"] for e in one] == [event_id]
    missing = api.get("/epcis/events/ni:%2F%2F%2Fsha-256;00%3Fver=CBV2.0")
    assert missing.status_code == 404
    lot = lot_lgtin(MAGNET, "MAGNET-NDFEB-SINTERED")
    by_epc = _events(api.get(f"/epcis/epcs/{lot}/events"))
    assert {e.get("bizStep") for e in by_epc} >= {"departing", "shipping"}
    types = api.get("/epcis/eventTypes").json()
    assert "TransformationEvent" in types["@set"]


def test_named_queries_are_saved_run_and_deleted(chain):
    api = chain.client("regulator")
    created = api.post(
        "/epcis/queries",
        {"name": "shipping", "query": {"EQ_bizStep": "shipping"}},
        content_type="application/json",
    )
    assert created.status_code == 201 and created["Location"] == "/epcis/queries/shipping"
    again = api.post(
        "/epcis/queries", {"name": "shipping", "query": {}}, content_type="application/json"
    )
    assert again.status_code == 409
    bad = api.post(
        "/epcis/queries",
        {"name": "odd", "query": {"EQ_size": "9"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "EQ_size" in bad.json()["title"]
    assert [q["name"] for q in api.get("/epcis/queries").json()] == ["shipping"]
    events = _events(api.get("/epcis/queries/shipping/events", {"perPage": 100}))
    direct = _events(api.get("/epcis/events", {"EQ_bizStep": "shipping", "perPage": 100}))
    assert [e["eventID"] for e in events] == [e["eventID"] for e in direct] != []
    mine = _events(chain.client(chain.metal_maker).get("/epcis/queries/shipping/events"))
    assert len(mine) < len(events)
    assert chain.client(chain.metal_maker).delete("/epcis/queries/shipping").status_code == 403
    assert api.delete("/epcis/queries/shipping").status_code == 204
    assert api.get("/epcis/queries/shipping").status_code == 404
