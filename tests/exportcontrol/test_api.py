"""The export-control API end to end: apply, upload, submit, follow; partner view; stats; CLI."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from reetrace.core.errors import BatchRejected
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from tests.exportcontrol.helpers import (
    Frozen,
    application_body,
    cst,
    export,
    licensed,
    magnet_lot,
    reviewed,
)
from tests.factories.world import code

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

    expected = []
    for kind in REQUIRED_DOCUMENTS:
        content = b"%PDF-1.7 " + kind.encode() * 3
        upload = SimpleUploadedFile(f"{kind}.pdf", content)
        response = client.post(
            f"/api/v1/applications/{number}/documents", {"kind": kind, "file": upload}
        )
        assert response.status_code == 201, response.content
        stored = {
            "kind": str(kind),
            "filename": f"{kind}.pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
        }
        assert response.json() == stored
        expected.append(stored)

    submitted = client.post(
        f"/api/v1/applications/{number}/actions",
        json.dumps({"action": "submit", "comment": "ready"}),
        content_type="application/json",
    )
    assert submitted.status_code == 200
    body = client.get(f"/api/v1/applications/{number}").json()
    assert body["state"] == "submitted"
    assert body["detail"]["documents_missing"] == []
    assert body["detail"]["documents"] == expected
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


def test_classify_endpoint(world):
    client = world.client("customs_officer")
    response = client.get(
        "/api/v1/exportcontrol/classify/sintered_ndfeb",
        {"composition": "Nd=0.29,Dy=0.021", "date": "2025-06-01", "hs_code": "8505111000"},
    )
    assert response.status_code == 200
    assert response.json()["licence_required"] is True
    assert response.json()["matches"][0]["code"] == "1C905.x"


def test_a_lot_is_classified_by_its_recorded_composition_on_a_date(world):
    dysprosium = magnet_lot(world, 50)
    plain = magnet_lot(world, 51, composition={"Nd": "0.31"})
    client = world.client("customs_officer")

    def lot(lot_code: str, on: str) -> dict:
        url = f"/api/v1/exportcontrol/lots/{lot_code}/classification"
        response = client.get(url, {"date": on})
        assert response.status_code == 200, response.content
        return response.json()

    # Announcement 2025 No. 18 takes effect on 4 April 2025.
    assert lot(dysprosium, "2025-04-03")["licence_required"] is False
    in_force = lot(dysprosium, "2025-04-04")
    assert in_force["licence_required"] is True and in_force["form"] == "sintered_ndfeb"
    (match,) = in_force["matches"]
    assert (match["code"], match["element"], match["wt_pct"]) == ("1C905.x", "Dy", "2.10")
    uncontrolled = lot(plain, "2025-04-04")
    assert (uncontrolled["licence_required"], uncontrolled["matches"]) == (False, [])
    # The magnet's customs code is a reference code of controlled entries, never decisive.
    note, nothing, currency = uncontrolled["notes"]
    assert note.startswith("customs code 8505111000 is a reference code of controlled entries")
    assert nothing == "no entry in force on 2025-04-04 is reached by this form and composition"
    assert currency.startswith("control-list data as of 2025-12-18;")
    missing = client.get(f"/api/v1/exportcontrol/lots/{code(99)}/classification")
    assert missing.status_code == 404


def test_classify_cli_for_a_lot(world):
    lot = magnet_lot(world)
    out = StringIO()
    call_command("classify", "--lot", lot, "--date", "2025-04-04", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "sintered_ndfeb on 2025-04-04: LICENCE REQUIRED"
    assert lines[1].startswith("  controlled: sintered NdFeB, Dy 2.10 wt% >= ")
    assert "-> 1C905.x, Announcement 2025 No. 18, in force" in lines[1]
    out = StringIO()
    call_command("classify", "--lot", lot, "--date", "2025-04-03", "--json", stdout=out)
    assert json.loads(out.getvalue())["licence_required"] is False
    with pytest.raises(CommandError, match="lot"):
        call_command("classify", "--lot", code(99), stdout=StringIO())


def test_customs_reads_a_refused_export_with_its_reason(world):
    _, licence = licensed(world)
    lot = magnet_lot(world)
    with pytest.raises(BatchRejected):
        event = export(1, lot, "10", destination="US", licence=licence.number)
        world.capture(world.magnet_maker, event)
    (row,) = world.client("customs_officer").get("/api/v1/exportcontrol/refused-exports").json()
    assert (row["event_id"], row["exporter"], row["lot"], row["destination"]) == (
        "x-1",
        world.magnet_maker.identifier,
        lot,
        "US",
    )
    assert row["licence_cited"] == licence.number
    assert row["reason"].endswith(f"licence {licence.number} covers destination DE, not US")
    assert world.client(world.separator).get("/api/v1/exportcontrol/refused-exports").json() == []


def test_the_clock_in_a_covered_year(world, monkeypatch):
    Frozen(monkeypatch, cst(2025, 9, 30))
    application = reviewed(world, 1, accepted=date(2025, 9, 1))
    body = world.client(world.magnet_maker).get(f"/api/v1/applications/{application.number}")
    body = body.json()
    keys = ("due_date", "due_date_provisional", "days_elapsed", "days_left", "overdue")
    assert [body[k] for k in keys] == ["2025-11-07", False, 22, 23, False]
    assert body["clock_note"] is None


def test_the_clock_when_the_due_date_is_beyond_the_calendar(world, monkeypatch):
    Frozen(monkeypatch, cst(2026, 12, 20))
    application = reviewed(world, 1, accepted=date(2026, 12, 15))
    body = world.client(world.magnet_maker).get(f"/api/v1/applications/{application.number}")
    body = body.json()
    # 16-18 Dec elapsed; 12 working days in Dec 2026, then 33 weekdays of 2027 (provisional)
    assert (body["days_elapsed"], body["days_left"]) == (3, 42)
    assert (body["due_date"], body["due_date_provisional"]) == ("2027-02-16", True)
    assert "no official working-day schedule for 2027 yet" in body["clock_note"]


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
