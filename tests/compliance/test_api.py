"""The compliance API: run detection, read and work alerts, risk, cases; who sees what."""

from __future__ import annotations

import base64
import json

import pytest

from reetrace.compliance.models import Alert, DetectionRun
from tests.compliance.helpers import ore_at_separator, run, separation

pytestmark = pytest.mark.django_db


def post(client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def low_yield(world) -> Alert:
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    run(world, "yield_out_of_range")
    return Alert.objects.get()


def test_regulator_starts_a_run_in_the_background_and_polls_it(
    world, django_capture_on_commit_callbacks
):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    client = world.client("regulator")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/api/v1/compliance/runs", {"rules": ["yield_out_of_range"]})
    assert response.status_code == 201
    run_id = response.json()["id"]
    polled = client.get(f"/api/v1/compliance/runs/{run_id}").json()
    assert polled["status"] == "done"
    assert polled["counts"] == {"yield_out_of_range": {"found": 1, "new": 1}}
    assert DetectionRun.objects.get(pk=run_id).requested_by == world.users["regulator"]


def test_unknown_rule_is_a_400_naming_the_field(world):
    response = post(world.client("regulator"), "/api/v1/compliance/runs", {"rules": ["nope"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rules"
    assert not DetectionRun.objects.exists()


def test_alerts_list_filters_and_detail_shows_the_evidence(world, low_yield):
    client = world.client("auditor")
    listed = client.get(
        "/api/v1/compliance/alerts", {"rule": "yield_out_of_range", "period": "2025-01"}
    ).json()
    assert [a["id"] for a in listed] == [low_yield.pk]
    assert client.get("/api/v1/compliance/alerts", {"severity": "low"}).json() == []
    detail = client.get(f"/api/v1/compliance/alerts/{low_yield.pk}").json()
    assert detail["figures"]["unit"] == "REO yield"
    assert [e["event_id"] for e in detail["evidence"]] == ["sep-low"]
    assert detail["enterprise"] == world.separator.identifier


def test_triage_dismiss_and_share_are_recorded(world, low_yield):
    client = world.client("regulator")
    base = f"/api/v1/compliance/alerts/{low_yield.pk}"
    assert post(client, f"{base}/triage", {"reason": "check"}).json()["status"] == "triaged"
    refused = post(client, f"{base}/dismiss", {"reason": ""})
    assert refused.status_code == 422
    dismissed = post(client, f"{base}/dismiss", {"reason": "explained by flood"}).json()
    assert dismissed["status"] == "dismissed"
    assert post(client, f"{base}/share", {"shared": True}).json()["shared_with_enterprise"]
    history = client.get(base).json()["history"]
    assert [(h["action"], h["to_status"]) for h in history] == [
        ("status", "triaged"),
        ("status", "dismissed"),
        ("share", "dismissed"),
    ]
    # the auditor still sees the dismissed alert
    assert world.client("auditor").get(base).json()["status"] == "dismissed"


def test_enterprise_user_sees_only_shared_alerts_of_its_own_and_no_risk(world, low_yield):
    own = world.client(world.separator)
    other = world.client(world.miner)
    path = f"/api/v1/compliance/alerts/{low_yield.pk}"
    assert own.get("/api/v1/compliance/alerts").json() == []
    assert own.get(path).status_code == 404
    post(world.client("regulator"), f"{path}/share", {"shared": True, "reason": "fix it"})
    assert [a["id"] for a in own.get("/api/v1/compliance/alerts").json()] == [low_yield.pk]
    detail = own.get(path).json()
    assert detail["history"] == [] and detail["cases"] == []
    assert other.get("/api/v1/compliance/alerts").json() == []
    assert other.get(path).status_code == 404
    risk = own.get("/api/v1/compliance/risk")
    assert risk.status_code == 403 and "score" not in risk.content.decode()
    assert own.get("/api/v1/compliance/cases").status_code == 403


def test_risk_ranking_for_national_readers(world, low_yield):
    ranking = world.client("auditor").get("/api/v1/compliance/risk").json()
    assert ranking == [
        {
            "rank": 1,
            "enterprise": world.separator.identifier,
            "name": "Baotou Separation",
            "score": 27.0,
            "alerts": {"high": 1},
        }
    ]


def test_case_flow_through_the_api(world, low_yield, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = world.client("regulator")
    opened = post(
        client,
        "/api/v1/compliance/cases",
        {"title": "Separator yield", "alerts": [low_yield.pk], "assignee": "regulator-user"},
    )
    assert opened.status_code == 201
    case = opened.json()
    base = f"/api/v1/compliance/cases/{case['id']}"
    assert case["alerts"] == [low_yield.pk] and case["assignee"] == "regulator-user"
    assert post(client, f"{base}/assign", {"assignee": "admin-user"}).json()["assignee"] == (
        "admin-user"
    )
    refused = post(client, f"{base}/assign", {"assignee": "auditor-user"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "assignee"
    assert post(client, f"{base}/notes", {"text": "visited the plant"}).status_code == 201
    content = base64.b64encode(b"minutes").decode()
    attached = post(client, f"{base}/attachments", {"name": "m.txt", "content_base64": content})
    assert attached.status_code == 201 and attached.json()["size"] == 7
    bad = post(client, f"{base}/attachments", {"name": "x", "content_base64": "***"})
    assert bad.status_code == 400
    closed = post(client, f"{base}/close", {"outcome": "referred to prosecutors"}).json()
    assert closed["status"] == "closed"
    detail = world.client("auditor").get(base).json()
    assert [s["action"] for s in detail["steps"]] == [
        "open",
        "alert",
        "assign",
        "assign",
        "note",
        "attach",
        "close",
    ]
    assert detail["notes"][0]["text"] == "visited the plant"
    assert post(client, f"{base}/notes", {"text": "late"}).status_code == 409
    missing = post(client, "/api/v1/compliance/cases", {"title": "x", "alerts": [999999]})
    assert missing.status_code == 404
