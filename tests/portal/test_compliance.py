"""Compliance pages: alerts with filters and downloads, evidence with units, triage,
cases from selected alerts, risk, detection in the background, and what an
enterprise user may see of all this (its shared alerts, nothing else)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reetrace.accounts.permissions import UserRole as R
from reetrace.compliance.models import Alert, Case, DetectionRun
from tests.portal.conftest import MAGNET, signed_in
from tests.portal.scenes import build_scene


@pytest.fixture
def scene(chain):
    return chain, build_scene(chain)


def ids(response) -> set[int]:
    return {row["id"] for row in response.context["tables"]["alerts"].rows}


def test_alerts_filter_and_download(scene):
    world, made = scene
    client = signed_in(world.users[R.REGULATOR])
    url = reverse("compliance:alerts")
    assert ids(client.get(url)) == {made.shared.pk, made.private.pk}
    assert ids(client.get(url, {"enterprise": world.miner.identifier})) == {made.private.pk}
    assert ids(client.get(url, {"rule": "quota_usage", "period": "2025-03"})) == {made.private.pk}
    assert ids(client.get(url, {"severity": "low"})) == set()
    csv = client.get(url, {"rule": "short_receipt", "export": "alerts", "format": "csv"})
    text = csv.getvalue().decode("utf-8-sig")
    assert text.startswith("Alert,Month,Rule") and "50 kg short" in text
    xlsx = client.get(url, {"export": "alerts", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3


def test_an_enterprise_sees_only_alerts_shared_about_itself(scene):
    world, made = scene
    client = signed_in(world.user_for(world.magnet_maker))
    page = client.get(reverse("compliance:alerts"))
    assert ids(page) == {made.shared.pk}
    assert "case_form" not in page.context and "run_form" not in page.context
    assert client.get(reverse("compliance:alert", args=[made.private.pk])).status_code == 404
    detail = client.get(reverse("compliance:alert", args=[made.shared.pk]))
    assert "forms" not in detail.context and not detail.context["detail"]["history"]
    assert client.get(reverse("compliance:risk")).status_code == 403
    dashboard = client.get(reverse("portal:dashboard"))
    shared = dashboard.context["tables"]["shared_alerts"].rows
    assert [r["id"] for r in shared] == [made.shared.pk]


def test_alert_detail_shows_figures_with_units_and_links(scene):
    world, made = scene
    page = signed_in(world.users[R.REGULATOR]).get(
        reverse("compliance:alert", args=[made.shared.pk])
    )
    figures = {str(f["label"]): f["value"] for f in page.context["figures"]}
    assert figures["Expected"] == "500.000 kg" and figures["Observed"] == "450.000 kg"
    assert figures["Tolerance"] == "0.5 %" and figures["missing kg"] == "50.000 kg"
    html = page.content.decode()
    assert reverse("portal:lot", args=[MAGNET]) in html and "x-1" in html


def test_dismiss_needs_a_reason_shown_next_to_the_field(scene):
    world, made = scene
    client = signed_in(world.users[R.REGULATOR])
    url = reverse("compliance:alert-action", args=[made.shared.pk, "dismiss"])
    refused = client.post(url, {"dismiss-reason": ""})
    assert refused.status_code == 400
    assert refused.context["forms"]["dismiss"].errors["reason"]
    assert client.post(url, {"dismiss-reason": "weighing error, fixed"}).status_code == 302
    alert = Alert.objects.get(pk=made.shared.pk)
    assert alert.status == "dismissed" and alert.status_reason == "weighing error, fixed"
    triage = reverse("compliance:alert-action", args=[made.shared.pk, "triage"])
    assert client.post(triage, {"triage-reason": "reopened"}).status_code == 302
    assert Alert.objects.get(pk=made.shared.pk).status == "triaged"


def test_sharing_shows_the_alert_to_the_enterprise(scene):
    world, made = scene
    client = signed_in(world.users[R.REGULATOR])
    url = reverse("compliance:alert-action", args=[made.private.pk, "share"])
    assert (
        client.post(url, {"share-shared": "1", "share-reason": "please explain"}).status_code == 302
    )
    miner = signed_in(world.user_for(world.miner))
    assert ids(miner.get(reverse("compliance:alerts"))) == {made.private.pk}


def test_a_case_from_selected_alerts_to_its_outcome(scene, settings, tmp_path):
    world, made = scene
    client = signed_in(world.users[R.REGULATOR])
    empty = client.post(reverse("compliance:case-open"), {"title": "x"})
    assert empty.status_code == 400 and empty.context["case_form"].errors["alerts"]
    response = client.post(
        reverse("compliance:case-open"),
        {
            "title": "Magnet receipts",
            "alerts": [made.shared.pk],
            "assignee": "regulator-user",
            "hold_disclosure": "on",
        },
    )
    case = Case.objects.get(title="Magnet receipts")
    assert case.hold_disclosure
    assert response["Location"] == reverse("compliance:case", args=[case.pk])
    act = lambda action, data: client.post(  # noqa: E731
        reverse("compliance:case-action", args=[case.pk, action]), data
    )
    assert act("note", {"note-text": "asked for weighing tickets"}).status_code == 302
    upload = SimpleUploadedFile("tickets.pdf", b"%PDF tickets")
    assert act("attach", {"attach-file": upload}).status_code == 302
    assert act("assign", {"assign-assignee": "admin-user"}).status_code == 302
    no_outcome = act("close", {"close-outcome": " "})
    assert no_outcome.status_code == 400 and no_outcome.context["forms"]["close"].errors
    assert act("close", {"close-outcome": "tickets match; no loss"}).status_code == 302
    page = client.get(reverse("compliance:case", args=[case.pk]))
    detail = page.context["detail"]
    assert detail["status"] == "closed" and detail["assignee"] == "admin-user"
    assert detail["notes"][0]["text"] == "asked for weighing tickets"
    attachment = detail["attachments"][0]
    download = client.get(reverse("compliance:case-file", args=[case.pk, attachment["id"]]))
    assert download.content == b"%PDF tickets"
    assert Alert.objects.get(pk=made.shared.pk).status == "in_case"


def test_the_auditor_reads_cases_but_cannot_change_them(scene):
    world, made = scene
    client = signed_in(world.users[R.AUDITOR])
    page = client.get(reverse("compliance:case", args=[made.case.pk]))
    assert page.status_code == 200 and "forms" not in page.context
    url = reverse("compliance:case-action", args=[made.case.pk, "note"])
    assert client.post(url, {"note-text": "x"}).status_code == 403


def test_risk_ranking_and_the_enterprise_page(scene):
    world, made = scene
    client = signed_in(world.users[R.REGULATOR])
    rows = client.get(reverse("compliance:risk")).context["tables"]["risk"].rows
    assert {r["enterprise"] for r in rows} == {
        world.miner.identifier,
        world.magnet_maker.identifier,
    }
    page = client.get(reverse("portal:enterprise", args=[world.miner.identifier]))
    assert page.context["risk"]["score"] > 0
    customs = signed_in(world.users[R.CUSTOMS_OFFICER])
    page = customs.get(reverse("portal:enterprise", args=[world.miner.identifier]))
    assert page.context["risk"] is None


def test_detection_runs_in_the_background_with_progress(scene, django_capture_on_commit_callbacks):
    world, _made = scene
    client = signed_in(world.users[R.REGULATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compliance:run-start"), {"rules": ["report_missing"], "start": "2025-03"}
        )
    run = DetectionRun.objects.latest("pk")
    assert response["Location"] == reverse("compliance:run", args=[run.pk])
    progress = client.get(reverse("compliance:run-progress", args=[run.pk])).json()
    assert progress == {
        "status": "done",
        "status_label": "done",
        "done": 1,
        "total": 1,
        "finished": True,
    }
    page = client.get(reverse("compliance:run", args=[run.pk]))
    assert b'id="run-progress"' in page.content
    bad = client.post(reverse("compliance:run-start"), {"start": "2025-05", "end": "2025-03"})
    assert bad.status_code == 400 and bad.context["run_form"].errors
