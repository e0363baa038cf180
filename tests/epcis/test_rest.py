"""The EPCIS REST bindings: discovery, capture and its jobs, problems, auth."""

from __future__ import annotations

import dataclasses
import json

import pytest

from reetrace.ledger.models import Event
from tests.epcis import documents as d
from tests.factories.world import code

pytestmark = pytest.mark.django_db

ORE = code(601)
LD = "application/ld+json"


def test_discovery_advertises_versions_and_limits(client):
    response = client.options("/epcis/")
    assert response.status_code == 204
    assert response["GS1-EPCIS-Version"] == "2.0.0"
    assert int(response["GS1-EPCIS-Capture-Limit"]) == 5000
    assert int(response["GS1-EPCIS-Capture-File-Size-Limit"]) > 1_000_000
    assert client.get("/epcis/").json()["versions"] == ["2.0.0"]


def test_capture_answers_202_with_the_job(world):
    api = world.client(world.miner)
    response = api.post("/epcis/capture", d.body(d.mined(ORE, "1000", 1)), content_type=LD)
    assert response.status_code == 202, response.content
    location = response["Location"]
    job = api.get(location).json()
    assert job["state"] == "success" and job["success"] is True and job["running"] is False
    assert Event.objects.get().kind == "mine"
    assert [j["captureID"] for j in api.get("/epcis/capture").json()] == [job["captureID"]]


def test_invalid_document_is_a_typed_problem_and_stores_nothing(world):
    api = world.client(world.miner)
    event = d.mined(ORE, "1000", 1)
    del event["eventTime"]
    response = api.post(
        "/epcis/capture", d.body(d.mined(code(602), "5", 1), event), content_type=LD
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "epcisException:ValidationException"
    assert body["errors"] == [
        {"index": 1, "field": "eventTime", "message": "eventTime is required"}
    ]
    assert Event.objects.count() == 0
    job = api.get(response["Location"]).json()
    assert job["state"] == "failed" and job["errors"][0]["field"] == "eventTime"


def test_too_many_events_is_capture_limit_exceeded(world, monkeypatch):
    monkeypatch.setattr("reetrace.epcis.capture.CAPTURE_LIMIT", 1)
    api = world.client(world.miner)
    body = d.body(d.mined(ORE, "1000", 1), d.mined(code(603), "1000", 1))
    response = api.post("/epcis/capture", body, content_type=LD)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"


def test_single_event_capture_is_synchronous(world):
    api = world.client(world.miner)
    response = api.post("/epcis/events", d.body(d.mined(ORE, "1000", 1)), content_type=LD)
    assert response.status_code == 201
    assert response["Location"].startswith("/epcis/events/ni:///sha-256;")


def test_no_token_is_401_and_a_reader_may_not_capture(world):
    from django.test import Client

    assert Client().post("/epcis/capture", b"{}", content_type=LD).status_code == 401
    response = world.client("regulator").post("/epcis/capture", d.body(), content_type=LD)
    assert response.status_code == 403
    assert response.json()["type"] == "epcisException:SecurityException"


def test_only_rollback_is_offered(world):
    api = world.client(world.miner)
    response = api.post(
        "/epcis/capture",
        d.body(d.mined(ORE, "1000", 1)),
        content_type=LD,
        headers={"GS1-Capture-Error-Behaviour": "proceed"},
    )
    assert response.status_code == 400 and "rollback" in response.json()["title"]


def test_an_unknown_epcis_version_is_not_acceptable(world):
    response = world.client(world.miner).get("/epcis/capture", headers={"GS1-EPCIS-Version": "1.2"})
    assert response.status_code == 406


def test_xml_documents_are_captured(world):
    api = world.client(world.miner)
    json_body = d.document(d.mined(ORE, "1000", 1))
    event = json_body["epcisBody"]["eventList"][0]
    element = event["quantityList"][0]
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:rt="{d.CONTEXT[1]["rt"]}"
  schemaVersion="2.0" creationDate="2025-03-31T12:00:00Z">
 <EPCISBody><EventList><ObjectEvent>
  <eventTime>{event["eventTime"]}</eventTime>
  <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
  <epcList/>
  <action>ADD</action>
  <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
  <quantityList><quantityElement><epcClass>{element["epcClass"]}</epcClass>
   <quantity>{element["quantity"]}</quantity><uom>TNE</uom></quantityElement></quantityList>
  <ilmd><rt:quota>Q-2025-MINING-1</rt:quota><rt:composition><Nd>0.008</Nd></rt:composition></ilmd>
 </ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"""
    response = api.post("/epcis/capture", xml.encode(), content_type="application/xml")
    assert response.status_code == 202, response.content
    assert Event.objects.get().payload["lot"]["code"] == ORE
    again = api.post("/epcis/capture", xml.encode(), content_type="application/xml")
    assert again.status_code == 202 and Event.objects.count() == 1
    assert json.loads(again.content)["eventCount"] == 1


def test_lot_label_carries_the_digital_link_that_resolves_to_verification(world):
    from django.test import Client

    from reetrace.epcis.scheme import lot_lgtin

    world.client(world.miner).post(
        "/epcis/capture", d.body(d.mined(ORE, "1000", 1)), content_type=LD
    )
    client = Client()
    client.force_login(world.user_for(world.miner))
    page = client.get(f"/lots/{ORE}/label").content.decode()
    link = lot_lgtin(ORE, "ORE-BASTNAESITE").replace("https://id.gs1.org", "http://testserver")
    assert link in page and "<svg" in page
    resolved = Client().get(link.removeprefix("http://testserver"))
    assert resolved.status_code == 302 and resolved["Location"] == f"/verify/{ORE}"
    wrong = link.replace("/01/0697500000001", "/01/0697500000002")
    assert Client().get(wrong.removeprefix("http://testserver")).status_code == 404


def test_an_unknown_cbv_version_is_not_acceptable(world):
    response = world.client(world.miner).get("/epcis/capture", headers={"GS1-CBV-Version": "1.2"})
    assert response.status_code == 406 and "GS1-CBV-Version" in response.json()["title"]


def test_a_missing_schema_is_a_503_problem_not_a_crash(world, monkeypatch, tmp_path):
    from reetrace.epcis import validation

    validation._schema.cache_clear()
    validation._validator.cache_clear()
    validation._event_validator.cache_clear()
    absent = dataclasses.replace(validation.CONFIG, epcis_schema=tmp_path / "absent.json")
    monkeypatch.setattr(validation, "CONFIG", absent)
    try:
        response = world.client(world.miner).post(
            "/epcis/capture", d.body(d.mined(ORE, "1000", 1)), content_type=LD
        )
    finally:
        validation._schema.cache_clear()
        validation._validator.cache_clear()
        validation._event_validator.cache_clear()
    assert response.status_code == 503
    assert "REETRACE_EPCIS_SCHEMA" in response.json()["title"]
    assert Event.objects.count() == 0
