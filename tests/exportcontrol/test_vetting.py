"""General licences only for vetted exporters: vetting as officer-controlled data, checked
at submission and again at approval."""

from __future__ import annotations

import json
from datetime import date

import pytest

from reetrace.core.errors import Forbidden, ReetraceError
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.models import Application, Licence, Transition, VettedExporter
from reetrace.exportcontrol.services.applications import application_create
from reetrace.exportcontrol.services.vetting import exporter_vet, vetting_revoke
from tests.exportcontrol.helpers import (
    application_body,
    cst,
    documents_upload,
    licensed,
    vet,
    walk,
)

pytestmark = pytest.mark.django_db


def _general_draft(world) -> Application:
    application = application_create(
        actor=world.user_for(world.magnet_maker),
        data=application_body(world, kind="general"),
        now=cst(2025, 4, 20),
    )
    documents_upload(world, application)
    return application


def _refused_submit(world, application) -> ReetraceError:
    with pytest.raises(ReetraceError) as exc:
        walk(world, application, [("submit", cst(2025, 4, 21))])
    application.refresh_from_db()
    assert application.state == S.DRAFT and application.submitted_at is None
    assert not Transition.objects.filter(application=application).exists()
    return exc.value


def _expected(world, application, step: str, why: str) -> str:
    maker = world.magnet_maker
    return (
        f"cannot {step} application {application.number}: a general licence needs a vetted "
        f"exporter, and applicant {maker.identifier} ({maker.display_name}) is not vetted on "
        f"{'2025-04-21' if step == 'submit' else '2025-05-06'}: {why}; apply for an "
        f"individual licence instead"
    )


def test_a_vetted_exporter_gets_a_general_licence(world):
    _, licence = licensed(world, kind="general", kg="2000")
    assert licence.number.startswith("GL-2025-") and licence.kg_cap == 2000


def test_a_general_licence_for_an_exporter_never_vetted_is_refused(world):
    application = _general_draft(world)
    error = _refused_submit(world, application)
    assert (error.status, error.field) == (409, "kind")
    assert error.message == _expected(world, application, "submit", "it has never been vetted")


def test_an_expired_vetting_does_not_count(world):
    vet(world, since=date(2024, 1, 1), until=date(2025, 4, 20))
    application = _general_draft(world)
    error = _refused_submit(world, application)
    why = "its vetting ended on 2025-04-20"
    assert error.message == _expected(world, application, "submit", why)


def test_a_vetting_not_yet_begun_does_not_count(world):
    vet(world, since=date(2025, 4, 22))
    error = _refused_submit(world, _general_draft(world))
    assert error.message.endswith(
        "is not vetted on 2025-04-21: its vetting starts on 2025-04-22; apply for an "
        "individual licence instead"
    )


def test_a_vetting_revoked_before_submission_does_not_count(world):
    vetting = vet(world)
    vetting_revoke(
        actor=world.users["licensing_officer"], vetting_id=vetting.pk, reason="audit failed",
        now=cst(2025, 4, 1),
    )  # fmt: skip
    application = _general_draft(world)
    error = _refused_submit(world, application)
    assert error.message == _expected(
        world, application, "submit", "its vetting since 2025-01-01 was revoked on 2025-04-01"
    )


def test_approval_is_refused_when_the_vetting_was_revoked_meanwhile(world):
    vetting = vet(world)
    application = walk(
        world,
        _general_draft(world),
        [("submit", cst(2025, 4, 21)), ("accept", cst(2025, 4, 22)),
         ("start_review", cst(2025, 4, 23))],
    )  # fmt: skip
    vetting_revoke(
        actor=world.users["licensing_officer"], vetting_id=vetting.pk, reason="audit failed",
        now=cst(2025, 5, 1),
    )  # fmt: skip
    with pytest.raises(ReetraceError) as exc:
        walk(world, application, [("approve", cst(2025, 5, 6))])
    assert exc.value.field == "kind"
    assert exc.value.message == _expected(
        world, application, "approve", "its vetting since 2025-01-01 was revoked on 2025-05-01"
    )
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW and application.decided_at is None
    assert not Licence.objects.exists()


def test_an_individual_licence_needs_no_vetting(world):
    _, licence = licensed(world)
    assert licence.number.startswith("EL-") and not VettedExporter.objects.exists()


def test_overlapping_vettings_are_refused(world):
    first = vet(world, since=date(2025, 1, 1), until=date(2025, 12, 31))
    with pytest.raises(ReetraceError) as exc:
        vet(world, since=date(2025, 6, 1))
    assert (exc.value.status, exc.value.field) == (409, "since")
    assert exc.value.message == (
        f"enterprise {world.magnet_maker.identifier} is already vetted from 2025-01-01 to "
        f"2025-12-31 (vetting {first.pk}); revoke it first to change the period"
    )
    assert VettedExporter.objects.count() == 1
    vet(world, since=date(2026, 1, 1))  # the next period is fine
    assert VettedExporter.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"enterprise": "91XXX"}, "enterprise", "enterprise '91XXX' does not exist"),
        ({"basis": "  "}, "basis", "basis is required: why the exporter is vetted"),
        ({"until": date(2024, 1, 1)}, "until", "until 2024-01-01 is before since 2025-01-01"),
    ],
)
def test_bad_vetting_input_names_the_field(world, changes, field, message):
    data = {
        "enterprise": world.magnet_maker.identifier,
        "since": date(2025, 1, 1),
        "until": None,
        "basis": "programme audited",
    } | changes
    with pytest.raises(ReetraceError) as exc:
        exporter_vet(actor=world.users["licensing_officer"], **data)
    assert (exc.value.field, exc.value.message) == (field, message)
    assert not VettedExporter.objects.exists()


def test_only_officers_vet_and_revoke(world):
    with pytest.raises(Forbidden):
        exporter_vet(
            actor=world.users["regulator"], enterprise=world.magnet_maker.identifier,
            since=date(2025, 1, 1), until=None, basis="x",
        )  # fmt: skip
    vetting = vet(world)
    with pytest.raises(Forbidden):
        vetting_revoke(actor=world.user_for(world.magnet_maker), vetting_id=vetting.pk, reason="x")
    vetting.refresh_from_db()
    assert vetting.revoked_at is None


def test_vet_list_and_revoke_through_the_api(world):
    officer = world.client("licensing_officer")
    maker = world.magnet_maker.identifier
    body = {"enterprise": maker, "since": "2025-01-01", "basis": "ICP audited 2024"}
    created = officer.post(
        "/api/v1/exportcontrol/vetted-exporters", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    vetting = created.json()
    assert (vetting["enterprise"], vetting["status"], vetting["until"]) == (maker, "valid", None)
    assert vetting["vetted_by"] == "licensing_officer-user"

    own = world.client(world.magnet_maker).get("/api/v1/exportcontrol/vetted-exporters").json()
    assert [v["id"] for v in own] == [vetting["id"]]
    others = world.client(world.miner).get("/api/v1/exportcontrol/vetted-exporters").json()
    assert others == []

    url = f"/api/v1/exportcontrol/vetted-exporters/{vetting['id']}/revocation"
    reason = json.dumps({"reason": "ICP lapsed"})
    revoked = officer.post(url, reason, content_type="application/json")
    assert revoked.status_code == 200
    assert (revoked.json()["status"], revoked.json()["revocation_reason"]) == (
        "revoked",
        "ICP lapsed",
    )
    again = officer.post(url, json.dumps({"reason": "twice"}), content_type="application/json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "vetting"
    assert VettedExporter.objects.get().revocation_reason == "ICP lapsed"


def test_the_api_refuses_a_general_submission_with_the_field(world):
    application = _general_draft(world)
    client = world.client(world.magnet_maker)
    response = client.post(
        f"/api/v1/applications/{application.number}/actions",
        json.dumps({"action": "submit"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert (error["field"], error["record"]) == ("kind", application.number)
    assert f"applicant {world.magnet_maker.identifier}" in error["message"]
    application.refresh_from_db()
    assert application.state == S.DRAFT
