"""The synthetic licensing desk reads like a real one: every application numbered in
the dataset's series, open ones complete with their documents, and every history
walking the workflow step by step."""

from __future__ import annotations

import hashlib
import re

import pytest

from reetrace.exportcontrol.choices import OPEN_STATES, REQUIRED_DOCUMENTS
from reetrace.exportcontrol.models import Application
from reetrace.exportcontrol.services import china_date
from reetrace.exportcontrol.workflow import TRANSITIONS, documents_missing
from reetrace.synth.dataset import produce

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
