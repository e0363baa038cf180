"""Scenario (issue 16, finding 6), through the API and the CLI: an application accepted
on 2026-12-04, whose 45th working day falls in 2027, which chinesecalendar 1.11.0 does
not cover. Until the year's schedule is loaded its due date is provisional (weekdays
only); a malformed schedule is refused naming line and field and changes nothing; the
loaded schedule (test data shaped like the State Council's notice) makes the clock
official and moves its due date."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.models import WorkingDaySchedule
from tests.exportcontrol.helpers import Frozen, application_body, cst

pytestmark = pytest.mark.django_db

SCHEDULE = Path(__file__).parents[1] / "exportcontrol" / "data" / "schedule-2027.toml"


def post(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def accepted_today(world) -> str:
    """The magnet maker applies through the API; the officer accepts it on 2026-12-04."""
    applicant = world.client(world.magnet_maker)
    created = post(applicant, "/api/v1/applications", application_body(world))
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    for kind in REQUIRED_DOCUMENTS:
        upload = SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.7 " + kind.encode())
        url = f"/api/v1/applications/{number}/documents"
        assert applicant.post(url, {"kind": kind, "file": upload}).status_code == 201
    submitted = post(applicant, f"/api/v1/applications/{number}/actions", {"action": "submit"})
    assert submitted.status_code == 200, submitted.content
    officer = world.client("licensing_officer")
    accepted = post(officer, f"/api/v1/applications/{number}/decisions", {"action": "accept"})
    assert accepted.status_code == 200, accepted.content
    return number


def clock(world, number: str) -> tuple:
    body = world.client("licensing_officer").get(f"/api/v1/applications/{number}").json()
    return body["due_date"], body["due_date_provisional"], body["clock_note"]


def test_a_clock_past_the_library_is_provisional_until_the_schedule_is_loaded(
    world, monkeypatch, tmp_path
):
    Frozen(monkeypatch, cst(2026, 12, 4))
    number = accepted_today(world)
    due, provisional, note = clock(world, number)
    # 19 working days left in December 2026, then 26 weekdays of 2027 (1 Jan counted)
    assert (due, provisional) == ("2027-02-05", True)
    assert "no official working-day schedule for 2027 yet" in note

    officer = world.client("licensing_officer")
    text = SCHEDULE.read_text(encoding="utf-8")
    # malformed: a date outside the year, an adjusted working day on a weekday, overlaps
    bad = {
        "until = 2027-01-03": ("2028-01-03", "line 17, holidays.0.until", "not in 2027"),
        "date = 2027-01-30": ("2027-01-29", "line 25, workdays.0.date", "is a Friday"),
        "from = 2027-02-05": ("2027-01-02", "line 21, holidays.1.from", "already in"),
    }
    for old, (new, where, why) in bad.items():
        refused = post(
            officer, "/api/v1/exportcontrol/calendar", {"toml": text.replace(old, old[:-10] + new)}
        )
        assert refused.status_code == 400, refused.content
        assert where in refused.json()["message"] and why in refused.json()["message"]
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace("until = 2027-01-03", "until = 2028-01-03"))
    with pytest.raises(CommandError, match=r"schedule line 17, holidays.0.until"):
        call_command("calendar", "load", str(broken))
    assert not WorkingDaySchedule.objects.exists()
    assert clock(world, number)[1] is True

    loaded = post(officer, "/api/v1/exportcontrol/calendar", {"toml": text})
    assert loaded.status_code == 200, loaded.content
    body = loaded.json()
    assert (body["year"], body["days_off"], body["adjusted_working_days"]) == (2027, 33, 2)
    # 1 Jan and the Spring Festival (5-13 Feb) off, Sat 30 Jan worked: 2027-02-15
    assert body["recomputed"] == [
        {
            "number": number,
            "due_date": "2027-02-15",
            "provisional": False,
            "due_date_before": "2027-02-05",
        }
    ]
    assert clock(world, number) == ("2027-02-15", False, None)
    out = StringIO()
    call_command("calendar", "clocks", stdout=out)
    assert out.getvalue() == f"  {number}: due 2027-02-15\n"
