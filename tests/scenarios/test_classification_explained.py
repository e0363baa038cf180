"""Scenario (issue 16, finding 3): Holmium oxide classified on both sides of the dates
that matter, through the CLI and the API. The answer names the announcement that
decides and why (No. 70's suspension of No. 57 ended on 2026-11-10), says how current
the control-list data is, and says "not yet in force" before No. 57 takes effect."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

HO_OXIDE = "Ho=0.872107"  # Ho2O3: the element's whole ceiling
CURRENCY = "control-list data as of 2025-12-18; announcements after that date are not known"


def cli(on: str) -> dict:
    out = StringIO()
    call_command(
        "classify", "--form", "oxide", "--composition", HO_OXIDE, "--date", on, "--json", stdout=out
    )
    return json.loads(out.getvalue())


def api(world, on: str) -> dict:
    response = world.client("customs_officer").get(
        "/api/v1/exportcontrol/classify/oxide", {"composition": HO_OXIDE, "date": on}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_after_the_suspension_lapsed_the_answer_names_no_57_and_why(world):
    for answer in (cli("2026-11-15"), api(world, "2026-11-15")):
        assert answer["licence_required"] is True
        assert [m["code"] for m in answer["matches"]] == ["1C909.b"]
        assert answer["decided_by"] == ["2025 No. 57"]
        assert answer["data_as_of"] == "2025-12-18"
        decided, currency = answer["notes"]
        assert decided == (
            "decided by Announcement 2025 No. 57 (1C909.b): Announcement 2025 No. 70's "
            "suspension of it ended on 2026-11-10, so it applies again from 2026-11-11"
        )
        assert currency == CURRENCY + " (this answer is for 2026-11-15, after it)"


def test_during_the_suspension_the_answer_says_it_is_suspended(world):
    answer = api(world, "2025-12-01")
    assert (answer["licence_required"], answer["decided_by"]) == (False, [])
    assert [m["code"] for m in answer["suspended_matches"]] == ["1C909.b"]
    assert answer["notes"] == [
        "Announcement 2025 No. 57 matches but is suspended by Announcement 2025 No. 70 until "
        "2026-11-10: no licence is required under it on this date",
        CURRENCY,
    ]


def test_before_no_57_takes_effect_the_entry_is_not_yet_in_force(world):
    for answer in (cli("2025-11-01"), api(world, "2025-11-01")):
        assert answer["licence_required"] is False
        assert answer["matches"] == [] and answer["suspended_matches"] == []
        [pending] = answer["pending_matches"]
        assert pending["code"] == "1C909.b"
        assert pending["status"] == "not yet in force: takes effect on 2025-11-08"
        assert (
            "1C909.b (Ho, Announcement 2025 No. 57) is not yet in force on 2025-11-01: "
            "takes effect on 2025-11-08"
        ) in answer["notes"]
    out = StringIO()
    call_command(
        "classify", "--form", "oxide", "--composition", HO_OXIDE, "--date", "2025-11-01", stdout=out
    )
    assert "  not yet:    oxide, Ho 87.21 wt%" in out.getvalue()
    assert f"  note: {CURRENCY}" in out.getvalue()
