"""The export-control API end to end: apply, upload, submit, follow; partner view; stats; CLI."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from tests.exportcontrol.helpers import application_body, licensed

pytestmark = pytest.mark.django_db


def _create(client, world) -> dict:
    response = client.post(
        "/api/v1/applications", json.dumps(application_body(world)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_apply_upload_submit_and_follow(world):
    client = world.client(world.magnet_maker)
    created = _create(client, world)
    number = created["number"]
    assert created["state"] == "draft"
    assert created["detail"]["documents_missing"] == [str(k) for k in REQUIRED_DOCUMENTS]
    assert created["detail"]["items"][0]["control_codes"] == ["1C905.x"]

    refused = client.post(
        f"/api/v1/applications/{number}/actions",
        json.dumps({"action": "submit"}),
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert "missing documents contract" in refused.json()["message"]

    for kind in REQUIRED_DOCUMENTS:
        upload = SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.7 " + kind.encode())
        response = client.post(
            f"/api/v1/applications/{number}/documents", {"kind": kind, "file": upload}
        )
        assert response.status_code == 201, response.content
    assert len(response.json()["sha256"]) == 64

    submitted = client.post(
        f"/api/v1/applications/{number}/actions",
        json.dumps({"action": "submit", "comment": "ready"}),
        content_type="application/json",
    )
    assert submitted.status_code == 200
    body = client.get(f"/api/v1/applications/{number}").json()
    assert body["state"] == "submitted"
    assert body["detail"]["documents_missing"] == []
    assert [h["action"] for h in body["detail"]["history"]] == ["submit"]

    officer = world.client("licensing_officer")
    wrong = officer.post(
        f"/api/v1/applications/{number}/decisions",
        json.dumps({"action": "approve"}),
        content_type="application/json",
    )
    assert wrong.status_code == 409 and wrong.json()["errors"][0]["field"] == "action"


def test_partner_sees_state_and_dates_of_its_importers_applications_only(world):
    application, _ = licensed(world)
    partner = world.users["partner"]
    client = world.client("partner")
    assert client.get("/api/v1/applications").json() == []  # no country yet
    partner.partner_country = "DE"
    partner.save()
    (row,) = client.get("/api/v1/applications").json()
    assert row["number"] == application.number and row["state"] == "approved"
    assert row["detail"] is None
    assert "Motoren" not in json.dumps(row)
    partner.partner_country = "US"
    partner.save()
    assert client.get(f"/api/v1/applications/{application.number}").status_code == 404


def test_other_enterprises_do_not_see_an_application(world):
    application, _ = licensed(world)
    response = world.client(world.separator).get(f"/api/v1/applications/{application.number}")
    assert response.status_code == 404


def test_classify_endpoint_and_lot_classification(world):
    client = world.client("customs_officer")
    response = client.get(
        "/api/v1/exportcontrol/classify/sintered_ndfeb",
        {"composition": "Nd=0.29,Dy=0.021", "date": "2025-06-01", "hs_code": "8505111000"},
    )
    assert response.status_code == 200
    assert response.json()["licence_required"] is True
    assert response.json()["matches"][0]["code"] == "1C905.x"


def test_stats_by_api_and_cli(world):
    licensed(world)
    body = world.client("regulator").get("/api/v1/exportcontrol/stats").json()
    assert body["decided"] == 1
    assert body["by_destination"] == [{"key": "DE", "approved": 1, "rejected": 0}]
    assert body["by_element"] == [{"key": "Dy", "approved": 1, "rejected": 0}]
    assert body["licensed_kg"] == "500.000000" or float(body["licensed_kg"]) == 500
    partner = world.client("partner").get("/api/v1/exportcontrol/stats").json()
    assert partner["by_applicant"] == []
    out = StringIO()
    call_command("licences", "stats", "--json", stdout=out)
    assert json.loads(out.getvalue())["decided"] == 1


def test_classify_cli():
    out = StringIO()
    call_command(
        "classify",
        "--form",
        "oxide",
        "--composition",
        "Ho=0.87",
        "--date",
        "2026-11-11",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["matches"][0]["code"] == "1C909.b"
