"""Partner enterprise submissions matched to licence applications and exports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.core.errors import BatchRejected
from reetrace.exportcontrol.services.applications import application_create
from reetrace.reconciliation.models import Submission
from reetrace.reconciliation.selectors import importer_status
from reetrace.reconciliation.services.submissions import submission_upload
from tests.exportcontrol.helpers import (
    application_body,
    cst,
    documents_upload,
    export,
    licensed,
    magnet_lot,
    walk,
)


@pytest.fixture
def orders(world):
    """Motoren GmbH: licensed and shipped 300 kg; Pending AG: an application under
    review; Nobody Ltd: no application at all."""
    application, licence = licensed(world)
    world.capture(world.magnet_maker, export(1, magnet_lot(world), "300", licence=licence.number))
    body = application_body(world, consignee={"name": "Pending AG", "country": "DE"})
    pending = application_create(
        actor=world.user_for(world.magnet_maker), data=body, now=cst(2025, 5, 20)
    )
    documents_upload(world, pending)
    walk(world, pending, [("submit", cst(2025, 5, 21))])
    supplier = world.magnet_maker.name_en
    text = (
        "importer,supplier,product,kg_ordered,kg_received,application_reference,application_date\n"
        f"Motoren GmbH,{supplier},MAGNET-NDFEB-SINTERED,500,280,{application.number},2025-04-20\n"
        f"Pending AG,{supplier},MAGNET-NDFEB-SINTERED,200,0,,2025-05-20\n"
        f"Nobody Ltd,{supplier},MAGNET-NDFEB-SINTERED,50,0,,2025-05-01\n"
    )
    partner = world.users["partner"]
    return submission_upload(actor=partner, content=text.encode(), filename="orders.csv")


def test_lines_are_matched_by_reference_or_by_parties(orders):
    matched = {line.importer: line.matched_by for line in orders.lines.all()}
    assert matched == {
        "Motoren GmbH": "reference",
        "Pending AG": "supplier+importer",
        "Nobody Ltd": "",
    }


def test_status_per_importer_says_what_and_since_when(world, orders):
    rows = {r["importer"]: r for r in importer_status(actor=world.users["partner"])}
    motoren = rows["Motoren GmbH"]
    assert motoren["kg_shipped"] == Decimal(300) and motoren["kg_received"] == Decimal(280)
    assert motoren["lines"][0]["status"] == "received"
    pending = rows["Pending AG"]["by_status"]["pending"]
    assert pending["kg_ordered"] == Decimal(200)
    assert str(pending["since"]) == "2025-05-21"
    assert rows["Nobody Ltd"]["lines"][0]["status"] == "unmatched"


def test_another_partner_country_does_not_see_the_submission(world, orders):
    from tests.factories.accounts import UserFactory

    other = UserFactory(username="partner-us", role="partner", partner_country="US")
    assert importer_status(actor=other) == []
    assert len(importer_status(actor=world.users["regulator"])) == 3


def test_a_bad_line_rejects_the_whole_upload(world):
    text = "importer,supplier,product,kg_ordered,kg_received\nA,B,C,10,0\nA,B,C,ten,0\n"
    with pytest.raises(BatchRejected) as caught:
        submission_upload(actor=world.users["partner"], content=text.encode(), filename="x.csv")
    assert [(e.index, e.field) for e in caught.value.errors] == [(3, "kg_ordered")]
    assert not Submission.objects.exists()


def test_a_line_matches_only_its_importers_applications_to_its_country(world):
    """A guessed application number shows nothing of another importer's application,
    nor of one bound for another country."""
    application, _ = licensed(world)  # Motoren GmbH, Germany
    supplier = world.magnet_maker.name_en
    text = (
        "importer,supplier,product,kg_ordered,kg_received,application_reference\n"
        f"Rival GmbH,{supplier},MAGNET-NDFEB-SINTERED,10,0,{application.number}\n"
        f"Motoren GmbH,{supplier},MAGNET-NDFEB-SINTERED,10,0,{application.number}\n"
    )
    partner = world.users["partner"]
    partner.partner_country = "DE"
    submission = submission_upload(actor=partner, content=text.encode(), filename="a.csv")
    matched = {line.importer: line.application for line in submission.lines.all()}
    assert matched == {"Rival GmbH": None, "Motoren GmbH": application}
    partner.partner_country = "US"
    elsewhere = submission_upload(actor=partner, content=text.encode(), filename="b.csv")
    assert [line.application for line in elsewhere.lines.all()] == [None, None]
    statuses = [r["lines"][0]["status"] for r in importer_status(actor=partner)]
    assert statuses == ["unmatched", "unmatched"]
