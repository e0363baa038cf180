"""Licence pages: an enterprise applies by form, uploads the documents, submits and
follows the state; the officer's desk, decisions and statistics; the partner sees
state and dates only."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.models import Application
from reetrace.exportcontrol.services.workflow import application_transition
from reetrace.ledger.rules import CHINA_TIME
from tests.exportcontrol.helpers import Frozen
from tests.portal.conftest import signed_in
from tests.portal.scenes import application_draft

FORM = {
    "kind": "individual",
    "consignee_name": "Motoren GmbH",
    "consignee_country": "de",
    "end_user_name": "Motoren GmbH Werk 2",
    "end_user_country": "DE",
    "end_use": "traction motors",
    "destination": "DE",
    "contract_number": "K-77",
    "items-TOTAL_FORMS": "3",
    "items-INITIAL_FORMS": "0",
    "items-MIN_NUM_FORMS": "1",
    "items-MAX_NUM_FORMS": "20",
    "items-0-product": "MAGNET-NDFEB-SINTERED",
    "items-0-composition": "Nd=0.29;Dy=0.021",
    "items-0-mass": "0.5 t",
    "items-0-value": "60000",
    "items-0-currency": "usd",
}


def apply(client, **changes):
    return client.post(reverse("exportcontrol:application-new"), FORM | changes)


def upload(client, number: str, kind: str):
    file = SimpleUploadedFile(f"{kind}.pdf", b"%PDF " + kind.encode())
    url = reverse("exportcontrol:document-upload", args=[number])
    return client.post(url, {"document-kind": kind, "document-file": file})


def act(client, number: str, action: str, comment: str = ""):
    url = reverse("exportcontrol:application-act", args=[number])
    return client.post(url, {"action": action, "act-comment": comment})


def decide(client, number: str, action: str, comment: str = ""):
    url = reverse("exportcontrol:decide", args=[number])
    return client.post(url, {"decide-action": action, "decide-comment": comment})


def test_apply_upload_submit_and_follow(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    assert client.get(reverse("exportcontrol:application-new")).status_code == 200
    response = apply(client)
    application = Application.objects.get(contract_number="K-77")
    assert response["Location"] == reverse("exportcontrol:application", args=[application.number])
    assert application.items.get().kg == 500 and application.consignee_country == "DE"
    blocked = act(client, application.number, "submit")
    assert blocked.status_code == 400
    assert "missing documents" in blocked.context["action_form"].non_field_errors()[0]
    for kind in REQUIRED_DOCUMENTS:
        assert upload(client, application.number, kind).status_code == 302
    page = client.get(reverse("exportcontrol:application", args=[application.number]))
    assert page.context["missing"] == [] and len(page.context["documents"]) == 4
    assert act(client, application.number, "submit").status_code == 302
    page = client.get(reverse("exportcontrol:application", args=[application.number]))
    assert page.context["out"]["state"] == "submitted" and "document_form" not in page.context
    assert [h["action"] for h in page.context["out"]["detail"]["history"]] == ["submit"]
    rows = client.get(reverse("portal:dashboard")).context["tables"]["applications"].rows
    assert [r["number"] for r in rows] == [application.number]


def test_form_errors_appear_next_to_their_fields(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    page = apply(client, consignee_country="XX")
    assert page.status_code == 400 and page.context["form"].errors["consignee_country"]
    page = apply(client, **{"items-0-mass": "-3"})
    assert page.status_code == 400
    assert page.context["items"].forms[0].errors["mass"]
    page = apply(client, destination="CN")
    assert page.context["form"].errors["destination"]
    assert not Application.objects.exists()


def test_the_officer_accepts_reviews_and_approves(chain, monkeypatch):
    today = Frozen(monkeypatch, datetime(2025, 8, 29, 10, tzinfo=CHINA_TIME))
    application = application_draft(chain)
    owner = signed_in(chain.user_for(chain.magnet_maker))
    assert act(owner, application.number, "submit").status_code == 302
    officer = signed_in(chain.users[R.LICENSING_OFFICER])
    queue = officer.get(reverse("exportcontrol:desk")).context["tables"]["queue"].rows
    assert [r["number"] for r in queue] == [application.number]
    assert decide(officer, application.number, "approve").status_code == 400  # not yet
    today.moment = datetime(2025, 9, 1, 10, tzinfo=CHINA_TIME)
    assert decide(officer, application.number, "accept").status_code == 302
    today.moment = datetime(2025, 9, 30, 10, tzinfo=CHINA_TIME)
    officer = signed_in(chain.users[R.LICENSING_OFFICER])  # the first session has expired
    page = officer.get(reverse("exportcontrol:application", args=[application.number]))
    out = page.context["out"]
    # 22 working days (Sun 28 Sep worked); 1-8 Oct off, Sat 11 Oct worked -> due 7 Nov
    assert (out["due_date"], out["days_elapsed"], out["days_left"]) == (date(2025, 11, 7), 22, 23)
    assert out["due_date_provisional"] is False and out["clock_note"] is None
    assert b'<dd id="working-days">22 / 23 days</dd>' in page.content
    assert decide(officer, application.number, "start_review").status_code == 302
    asked = decide(officer, application.number, "request_information")
    assert asked.status_code == 400 and asked.context["decision_form"].errors["comment"]
    assert decide(officer, application.number, "approve", "in order").status_code == 302
    application.refresh_from_db()
    assert application.state == "approved" and application.licence.number.startswith("EL-")
    document = application.documents.first()
    url = reverse("exportcontrol:document", args=[application.number, document.pk])
    assert officer.get(url).content.startswith(b"%PDF")


def test_a_due_date_beyond_the_calendar_is_shown_provisional_with_why(chain, monkeypatch):
    today = Frozen(monkeypatch, datetime(2026, 12, 15, 10, tzinfo=CHINA_TIME))
    application = application_draft(chain)
    owner = signed_in(chain.user_for(chain.magnet_maker))
    assert act(owner, application.number, "submit").status_code == 302
    officer = signed_in(chain.users[R.LICENSING_OFFICER])
    assert decide(officer, application.number, "accept").status_code == 302
    today.moment = datetime(2026, 12, 20, 10, tzinfo=CHINA_TIME)
    page = officer.get(reverse("exportcontrol:application", args=[application.number]))
    out = page.context["out"]
    # 2027 counted Monday to Friday until its schedule is loaded
    assert (out["days_elapsed"], out["due_date"], out["days_left"]) == (3, date(2027, 2, 16), 42)
    assert out["due_date_provisional"] is True
    assert b'<dd id="working-days">3 / 42 days</dd>' in page.content
    assert 'id="due-provisional">(provisional: no official working-day schedule for 2027' in (
        page.content.decode()
    )
    (row,) = officer.get(reverse("exportcontrol:desk")).context["tables"]["queue"].rows
    assert (row["number"], row["due_date"], row["provisional"]) == (
        application.number,
        date(2027, 2, 16),
        "provisional",
    )
    listing = owner.get(reverse("exportcontrol:applications")).content.decode()
    assert f"Provisional due date for {application.number}: no official working-day" in listing


def test_statistics_chart_lead_times_and_backlog(chain):
    decided = application_draft(chain)
    steps = [("submit", 3), ("accept", 4), ("start_review", 5), ("approve", 12)]
    for action, day in steps:
        actor = chain.user_for(chain.magnet_maker) if action == "submit" else None
        decided = application_transition(
            actor=actor or chain.users[R.LICENSING_OFFICER],
            application=decided,
            action=action,
            now=datetime(2025, 3, day, 10, tzinfo=CHINA_TIME),
        )
    waiting = application_draft(chain)
    act(signed_in(chain.user_for(chain.magnet_maker)), waiting.number, "submit")
    page = signed_in(chain.users[R.LICENSING_OFFICER]).get(reverse("exportcontrol:statistics"))
    charts = page.context["charts"]
    assert charts["lead"] == {"days": [6], "counts": [1], "unit": "working days"}
    assert charts["backlog"]["states"] == ["submitted"] and charts["backlog"]["counts"] == [1]
    assert b"/assets/plotly-" in page.content and b'id="licensing-data"' in page.content


def test_the_applicant_withdraws(chain):
    application = application_draft(chain)
    owner = signed_in(chain.user_for(chain.magnet_maker))
    assert act(owner, application.number, "withdraw", "order cancelled").status_code == 302
    application.refresh_from_db()
    assert application.state == "withdrawn"
    assert act(owner, application.number, "submit").status_code == 400


def test_a_partner_sees_state_and_dates_only(chain):
    application = application_draft(chain)
    partner = chain.users[R.PARTNER]
    partner.partner_country = "DE"
    partner.save()
    client = signed_in(partner)
    rows = client.get(reverse("exportcontrol:applications")).context["tables"]["applications"]
    assert [c.key for c in rows.columns] == [
        "number",
        "state",
        "submitted_at",
        "accepted_on",
        "due_date",
        "decided_at",
    ]
    page = client.get(reverse("exportcontrol:application", args=[application.number]))
    assert page.context["out"]["detail"] is None and b"Motoren" not in page.content
    document = application.documents.first()
    url = reverse("exportcontrol:document", args=[application.number, document.pk])
    assert client.get(url).status_code == 404
    partner.partner_country = "JP"
    partner.save()
    page = client.get(reverse("exportcontrol:application", args=[application.number]))
    assert page.status_code == 404


@pytest.mark.parametrize("role", [R.PARTNER, R.REGULATOR])
def test_statistics_for_partners_have_no_applicants(chain, role):
    application_draft(chain)
    page = signed_in(chain.users[role]).get(reverse("exportcontrol:statistics"))
    assert page.status_code == 200
    if role == R.PARTNER:
        assert page.context["stats"]["by_applicant"] == []
