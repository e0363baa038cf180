"""The synthetic licensing desk reads like a real one: every application numbered in
the dataset's series, open ones complete with their documents, and every history
walking the workflow step by step."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date, datetime

import pytest

from reetrace.exportcontrol.choices import OPEN_STATES, REQUIRED_DOCUMENTS
from reetrace.exportcontrol.models import Application
from reetrace.exportcontrol.services.applications import china_date
from reetrace.exportcontrol.services.workflow import (
    TRANSITIONS,
    application_clock,
    documents_missing,
)
from reetrace.reporting.models import MonthlyReport
from reetrace.synth.dataset import produce
from reetrace.synth.events import CST

pytestmark = pytest.mark.django_db

REVIEW = ["submit", "accept", "start_review"]


@pytest.fixture
def desk(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    produce(scale="tiny", seed=3, out=tmp_path / "data", load=True)
    return Application.objects.prefetch_related("transitions", "documents").order_by("number")


def test_open_applications_are_complete_and_numbered_like_the_others(desk):
    numbers = [a.number for a in desk]
    assert all(re.fullmatch(r"AP[LP]-2025-3-\d{6}", n) for n in numbers), numbers
    open_ones = [a for a in desk if a.state in OPEN_STATES]
    assert len(open_ones) == 12
    refused = [a.number for a in desk if a.state == "rejected"]
    # the open ones continue the APP- series after the refused applications
    assert refused and min(a.number for a in open_ones) > max(refused)
    for application in open_ones:
        assert documents_missing(application) == [], application.number
        documents = {d.kind: d for d in application.documents.all()}
        assert sorted(documents) == sorted(REQUIRED_DOCUMENTS)
        for document in documents.values():
            with document.file.open("rb") as handle:
                content = handle.read()
            assert document.size == len(content) > 0
            assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_every_history_walks_the_workflow(desk):
    for application in desk:
        steps = list(application.transitions.all())
        actions = [t.action for t in steps]
        if application.state in OPEN_STATES:
            assert actions == [*REVIEW, "request_information"][: len(actions)]
        else:
            assert actions == [
                *REVIEW,
                {"approved": "approve", "rejected": "reject"}[application.state],
            ], application.number
        state = "draft"
        for step in steps:
            sources, target = TRANSITIONS[step.action]
            assert step.from_state == state and state in sources and step.to_state == target
            state = target
        assert state == application.state
        accepted = [china_date(t.at) for t in steps if t.action == "accept"]
        assert [application.accepted_on] == (accepted or [None]), application.number


def test_decided_applications_share_one_stored_file_per_document_kind(desk):
    decided = [a for a in desk if a.state not in OPEN_STATES]
    assert decided
    names = set()
    for application in decided:
        assert documents_missing(application) == [], application.number
        for document in application.documents.all():
            with document.file.open("rb") as handle:
                assert document.sha256 == hashlib.sha256(handle.read()).hexdigest()
            names.add(document.file.name)
    assert len(names) == len(REQUIRED_DOCUMENTS)


def test_a_dataset_ending_last_month_loads_as_it_stands_today(tmp_path, settings):
    """Loaded a week after its last month: the closings that have happened, last
    month's late and missing reports still open, and the desk's queue inside its clocks
    except the two applications filed long before (overdue on purpose)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    now = datetime(2026, 4, 7, 12, tzinfo=CST)
    out = tmp_path / "data"
    result = produce(scale="tiny", seed=3, end_month=date(2026, 3, 1), out=out, load=True, now=now)
    with open(out / "month_closings.csv", encoding="utf-8") as handle:
        closings = list(csv.DictReader(handle))
    happened = {
        (c["enterprise"], c["period"])
        for c in closings
        if datetime.fromisoformat(c["closed_at"]) <= now
    }
    stored = {
        (identifier, f"{period:%Y-%m}")
        for identifier, period in MonthlyReport.objects.values_list(
            "enterprise__identifier", "period"
        )
    }
    assert stored == happened and result.reports == len(happened)
    assert result.pending == len(closings) - len(happened) > 0
    assert {period for _, period in stored} == {f"2025-{m:02d}" for m in range(4, 13)} | {
        "2026-01", "2026-02", "2026-03",
    }  # fmt: skip
    truth = json.loads((out / "ground_truth.json").read_text("utf-8"))["cases"]
    unreported = {
        (c["enterprise"], c["period"])
        for c in truth
        if c["type"] in ("late_report", "missing_report") and c["period"] == "2026-03"
    }
    assert not unreported & stored

    open_ones = Application.objects.filter(state__in=OPEN_STATES).prefetch_related("transitions")
    clocks = [application_clock(a, now.date()) for a in open_ones]
    running = [c for c in clocks if c is not None]
    assert len(clocks) == 12 and all(c.due is not None for c in running)
    assert sum(c.overdue for c in running) == 2
    assert all(c.elapsed <= 30 for c in running if not c.overdue)
