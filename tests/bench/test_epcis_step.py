"""The EPCIS bench step posts the same origins as EPCIS documents and as API batches:
both must be accepted and make the same lots, and the report shows the ratio."""

from __future__ import annotations

import json

import pytest

from reetrace.bench.report import report_rows
from reetrace.bench.steps.epcis import _moment, api_body, epcis_body
from reetrace.epcis.capture import document_capture
from reetrace.epcis.models import CaptureJob
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.models import Lot

pytestmark = pytest.mark.django_db


def test_both_bodies_make_the_same_lots(world):
    quota = world.mining_quota
    quota.year = int(_moment()[:4])
    quota.save()
    user = world.user_for(world.miner)
    moment = _moment()
    batch_capture(actor=user, items=json.loads(api_body(quota, range(10, 13), moment))["events"])
    job = CaptureJob.objects.create(submitted_by=user, reporter=world.miner)
    outcome = document_capture(
        user=user,
        data=epcis_body(quota, range(20, 23), moment),
        content_type="application/ld+json",
        job=job,
    )
    assert len(outcome.created) == 3
    made = list(Lot.objects.order_by("pk").values_list("product__code", "mass_kg"))
    assert len(made) == 6 and made[:3] == made[3:]


def test_the_report_puts_epcis_beside_the_api():
    results = {
        "scale": "tiny",
        "database": "sqlite",
        "steps": {"epcis": {"epcis_events_per_s": 300.0, "api_events_per_s": 450.0}},
    }
    rows = report_rows(results)
    assert (
        "EPCIS 2.0 capture, 1000-event documents over HTTP, against the own API",
        "300 events/s",
        "450 events/s",
        "66.7%",
    ) in rows
