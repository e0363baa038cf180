"""The application workflow: every transition allowed and refused, documents, clock."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.core.errors import Forbidden, ReetraceError
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.models import Application, Licence, Transition
from reetrace.exportcontrol.services.applications import application_create
from reetrace.exportcontrol.services.workflow import (
    TRANSITIONS,
    application_clock,
    application_transition,
)
from reetrace.exportcontrol.workdays import add_working_days
from tests.exportcontrol.helpers import application_body, cst, documents_upload, licensed, walk

pytestmark = pytest.mark.django_db

# The shortest path from draft to every state.
PATH_TO = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.ACCEPTED: ["submit", "accept"],
    S.UNDER_REVIEW: ["submit", "accept", "start_review"],
    S.INFORMATION_REQUESTED: ["submit", "accept", "start_review", "request_information"],
    S.RESUBMITTED: ["submit", "accept", "start_review", "request_information", "resubmit"],
    S.APPROVED: ["submit", "accept", "start_review", "approve"],
    S.REJECTED: ["submit", "accept", "start_review", "reject"],
    S.WITHDRAWN: ["withdraw"],
}


def _draft(world):
    application = application_create(
        actor=world.user_for(world.magnet_maker),
        data=application_body(world),
        now=cst(2025, 4, 20),
    )
    documents_upload(world, application)
    return application


def _at(world, state):
    application = _draft(world)
    steps = [(action, cst(2025, 5, 5 + n)) for n, action in enumerate(PATH_TO[state])]
    return walk(world, application, steps)


CASES = [
    (state, action, state in sources) for state in S for action, (sources, _) in TRANSITIONS.items()
]


@pytest.mark.parametrize(("state", "action", "allowed"), CASES)
def test_every_action_from_every_state(world, state, action, allowed):
    application = _at(world, state)
    before = Transition.objects.filter(application=application).count()
    if allowed:
        after = walk(world, application, [(action, cst(2025, 5, 20))])
        assert after.state == TRANSITIONS[action][1]
        last = Transition.objects.filter(application=application).last()
        assert (last.from_state, last.to_state, last.action) == (state, after.state, action)
        return
    with pytest.raises(ReetraceError) as exc:
        walk(world, application, [(action, cst(2025, 5, 20))])
    assert exc.value.field == "action" and exc.value.status == 409
    assert f"it is {state}" in exc.value.message
    assert Application.objects.get(pk=application.pk).state == state
    assert Transition.objects.filter(application=application).count() == before


def test_submission_is_blocked_naming_the_missing_documents(world):
    application = application_create(
        actor=world.user_for(world.magnet_maker),
        data=application_body(world),
        now=cst(2025, 4, 20),
    )
    documents_upload(world, application, kinds=["contract"])
    with pytest.raises(ReetraceError) as exc:
        walk(world, application, [("submit", cst(2025, 4, 21))])
    assert exc.value.field == "documents"
    assert exc.value.message.endswith(
        "missing documents end_user_certificate, end_use_statement, technical_description"
    )
    assert Application.objects.get(pk=application.pk).state == S.DRAFT


def test_only_the_applicant_acts_for_the_applicant_and_only_officers_decide(world):
    application = _draft(world)
    with pytest.raises(Forbidden):
        application_transition(
            actor=world.user_for(world.separator), application=application, action="submit"
        )
    walk(world, application, [("submit", cst(2025, 4, 21))])
    with pytest.raises(Forbidden):
        application_transition(
            actor=world.user_for(world.magnet_maker), application=application, action="accept"
        )


def test_every_transition_records_actor_time_and_comment(world):
    application = _draft(world)
    application_transition(
        actor=world.user_for(world.magnet_maker),
        application=application,
        action="submit",
        comment="please expedite",
        now=cst(2025, 4, 21),
    )
    (row,) = Transition.objects.filter(application=application)
    assert row.actor == world.user_for(world.magnet_maker)
    assert row.comment == "please expedite"
    assert row.at == cst(2025, 4, 21)


def test_approval_issues_a_licence_with_items_and_validity(world):
    application, licence = licensed(world)
    assert application.state == S.APPROVED
    assert licence.number == "EL-2025-000001"
    assert (licence.valid_from, licence.valid_until) == (date(2025, 5, 6), date(2026, 5, 5))
    (item,) = licence.items.all()
    assert (item.form, item.elements, item.control_codes) == (
        "sintered_ndfeb",
        ["Dy"],
        ["1C905.x"],
    )
    assert str(item.kg) == "500.000000"
    assert (licence.consignee_name, licence.destination) == ("Motoren GmbH", "DE")


def test_general_licence_has_a_kg_cap_and_a_year(world):
    _, licence = licensed(world, kind="general", kg="2000")
    assert licence.number.startswith("GL-2025-")
    assert licence.kg_cap == 2000
    assert (licence.valid_until - licence.valid_from).days == 364


def test_licensed_kg_cannot_exceed_what_was_applied_for(world):
    with pytest.raises(ReetraceError, match="at most the 500 kg"):
        licensed(world, licensed_kg=["600"])
    assert not Licence.objects.exists()


def test_clock_of_an_application_across_the_pause(world):
    application = _draft(world)
    application = walk(
        world,
        application,
        [
            ("submit", cst(2025, 9, 1)),
            ("accept", cst(2025, 9, 2)),
            ("start_review", cst(2025, 9, 3)),
            ("request_information", cst(2025, 9, 8)),
            ("resubmit", cst(2025, 9, 12)),
            ("resume_review", cst(2025, 9, 15)),
        ],
    )
    clock = application_clock(application, date(2025, 10, 10))
    # 3-8 Sep (4), pause 9-12 Sep, 15-30 Sep (13, incl. Sun 28), 9-10 Oct (2)
    assert clock.elapsed == 19
    assert clock.due == add_working_days(date(2025, 9, 2), 49)


def test_a_licence_valid_before_its_decision_is_refused_without_a_reason(world):
    """Issue 13 finding 6: valid_from weeks before the decision used to pass unremarked."""
    with pytest.raises(ReetraceError, match="before the decision date 2025-05-06") as refused:
        licensed(world, valid_from=date(2025, 4, 1))
    assert refused.value.field == "valid_from"
    assert not Licence.objects.exists()


def test_a_retroactive_licence_lists_the_exports_it_covers(world):
    """With the officer's reason, the exports made between valid_from and the decision,
    by the exporter to the licensed destination, are listed on the licence."""
    from tests.factories.chain import build_chain

    build_chain(world)  # exports x-1 (magnet, 1,500 kg to DE) on 2025-03-12
    _, licence = licensed(
        world, valid_from=date(2025, 3, 1), retroactive_reason="verbal approval on 28 Feb"
    )
    assert licence.valid_from == date(2025, 3, 1)
    assert licence.retroactive_reason == "verbal approval on 28 Feb"
    assert licence.retroactive_exports == ["x-1"]
