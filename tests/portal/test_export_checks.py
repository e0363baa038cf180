"""The officers' export-control pages: vetting exporters for general licences, and the
refused export attempts customs sees."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from reetrace.accounts.permissions import UserRole as R
from reetrace.core.errors import BatchRejected
from reetrace.exportcontrol.models import Application, RefusedExport, VettedExporter
from reetrace.exportcontrol.selectors import today
from reetrace.exportcontrol.services.applications import application_create
from tests.exportcontrol.helpers import (
    application_body,
    documents_upload,
    export,
    licensed,
    magnet_lot,
    vet,
)
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db

REFUSED = reverse("exportcontrol:refused")
VETTING = reverse("exportcontrol:vetting")


@pytest.fixture
def refused(world, settings, tmp_path):
    """The magnet maker holds a licence but exports a controlled lot without citing it."""
    settings.MEDIA_ROOT = tmp_path
    licensed(world)
    lot = magnet_lot(world)
    with pytest.raises(BatchRejected):
        world.capture(world.magnet_maker, export(1, lot, "10"))
    return RefusedExport.objects.get()


def test_customs_sees_the_refused_attempt_with_its_reason(world, refused):
    response = signed_in(world.users[R.CUSTOMS_OFFICER]).get(REFUSED)
    assert response.status_code == 200
    (row,) = response.context["tables"]["refused"].rows
    assert (row["exporter"], row["exporter_name"], row["lot"], row["codes"]) == (
        world.magnet_maker.identifier,
        world.magnet_maker.display_name,
        refused.lot,
        "licence_required",
    )
    assert row["reason"] == refused.reason and "must cite a licence" in row["reason"]
    assert escape(refused.reason) in response.content.decode()


def test_the_filters_narrow_by_exporter_and_date(world, refused):
    client = signed_in(world.users[R.CUSTOMS_OFFICER])
    day = today()

    def rows(**query):
        return client.get(REFUSED, query).context["tables"]["refused"].rows

    assert len(rows(exporter=world.magnet_maker.identifier, start=day, end=day)) == 1
    assert rows(exporter=world.miner.identifier) == []
    assert rows(end=day - timedelta(days=1)) == []
    assert rows(start=day + timedelta(days=1)) == []
    bad = client.get(REFUSED, {"start": day, "end": day - timedelta(days=1)})
    assert "The end date is before the start date." in bad.content.decode()


def test_the_refused_attempts_download_as_csv(world, refused):
    client = signed_in(world.users[R.REGULATOR])
    got = client.get(REFUSED, {"export": "refused", "format": "csv"})
    header, row = list(csv.reader(io.StringIO(got.getvalue().decode("utf-8-sig"))))
    assert header[0] == "Time" and "Reason" in header
    assert row[header.index("Reason")] == refused.reason


@pytest.mark.parametrize("role", [R.ENTERPRISE, R.PARTNER])
def test_enterprises_and_partners_may_not_open_the_page(world, refused, role):
    response = signed_in(world.users[role]).get(REFUSED)
    assert response.status_code == 403


def test_an_officer_vets_and_revokes_an_exporter(world):
    client = signed_in(world.users[R.LICENSING_OFFICER])
    maker = world.magnet_maker
    posted = client.post(
        reverse("exportcontrol:vet"),
        {"vet-enterprise": maker.identifier, "vet-since": "2025-01-01", "vet-basis": "ICP audit"},
    )
    assert posted.status_code == 302
    vetting = VettedExporter.objects.get()
    assert (vetting.enterprise, vetting.until, vetting.vetted_by) == (
        maker,
        None,
        world.users[R.LICENSING_OFFICER],
    )
    (row,) = client.get(VETTING).context["tables"]["vettings"].rows
    assert (row["enterprise"], str(row["status"])) == (maker.identifier, "valid")

    revoked = client.post(
        reverse("exportcontrol:vetting-revoke"),
        {"revoke-vetting": vetting.pk, "revoke-reason": "ICP lapsed"},
    )
    assert revoked.status_code == 302
    vetting.refresh_from_db()
    assert (vetting.revoked_by, vetting.revocation_reason) == (
        world.users[R.LICENSING_OFFICER],
        "ICP lapsed",
    )


def test_a_bad_vetting_is_shown_next_to_its_field(world):
    client = signed_in(world.users[R.LICENSING_OFFICER])
    response = client.post(
        reverse("exportcontrol:vet"),
        {
            "vet-enterprise": world.magnet_maker.identifier,
            "vet-since": "2025-06-01",
            "vet-until": "2025-01-01",
            "vet-basis": "ICP audit",
        },
    )
    assert response.status_code == 400
    assert response.context["vet_form"].errors["until"] == [
        "until 2025-01-01 is before since 2025-06-01"
    ]
    assert not VettedExporter.objects.exists()


def test_an_unvetted_exporter_cannot_submit_a_general_application(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = world.user_for(world.magnet_maker)
    application = application_create(actor=owner, data=application_body(world, kind="general"))
    documents_upload(world, application)
    url = reverse("exportcontrol:application-act", args=[application.number])
    response = signed_in(owner).post(url, {"action": "submit"})
    assert response.status_code == 400
    assert f"applicant {world.magnet_maker.identifier}" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == "draft"
    vet(world, since=date(2020, 1, 1))
    assert signed_in(owner).post(url, {"action": "submit"}).status_code == 302
