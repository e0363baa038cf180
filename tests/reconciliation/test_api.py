"""The reconciliation API: uploads, the report, drill-down, what partners may see."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reetrace.reconciliation.models import PartnerDataset
from tests.reconciliation.helpers import (
    SCENARIO,
    cli_report,
    comtrade_csv,
    export_magnets,
    injected_rows,
)

SECRETS = ("Secret Consignee", "End user", "Ningbo", "fob_value", "CD-R")


@pytest.fixture
def scenario(world):
    export_magnets(world, SCENARIO)
    return world


def upload(client, text: str, **extra):
    body = {"format": "comtrade", "vintage": "2025-06-01", "content": text} | extra
    return client.post(
        "/api/v1/reconciliation/datasets", json.dumps(body), content_type="application/json"
    )


def test_load_as_json_text_base64_or_multipart(world):
    client = world.client("regulator")
    text = comtrade_csv(injected_rows())
    first = upload(client, text, name="Comtrade 2025 H1")
    assert first.status_code == 201, first.content
    assert first.json()["rows_loaded"] == 7 and first.json()["name"] == "Comtrade 2025 H1"
    encoded = base64.b64encode(text.encode()).decode()
    again = upload(client, None, content_base64=encoded)
    assert again.json()["id"] == first.json()["id"]
    multipart = world.client("partner").post(
        "/api/v1/reconciliation/datasets",
        {
            "file": SimpleUploadedFile("p.csv", text.encode()),
            "format": "comtrade",
            "vintage": "2025-07-01",
        },
    )
    assert multipart.status_code == 201, multipart.content
    assert PartnerDataset.objects.count() == 2


def test_a_bad_file_is_refused_with_line_and_column(world):
    text = (
        "reporterISO,partnerISO,flowCode,cmdCode,period,netWgt,cifvalue\n"
        "DEU,CHN,M,850511,2025x1,1,1\n"
    )
    response = upload(world.client("regulator"), text)
    assert response.status_code == 400
    assert response.json()["code"] == "batch_rejected"
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(2, "period")]
    assert not PartnerDataset.objects.exists()


def test_the_api_and_the_command_give_the_same_figures(scenario, tmp_path):
    cli, dataset_id = cli_report(tmp_path)
    api = scenario.client("regulator").get(
        f"/api/v1/reconciliation/datasets/{dataset_id}/comparison",
        {"start": "2025-01", "end": "2025-02"},
    )
    assert api.status_code == 200, api.content
    assert _figures(api.json()) == _figures(cli)
    assert api.json()["totals"]["gap_kg"] == cli["totals"]["gap_kg"]


def _figures(report: dict) -> list:
    return [
        (c["product"], c["country"], c["month"], str(c["gap_kg"]), c["parts_kg"], c["parts_value"])
        for c in report["cells"]
    ]


def test_drill_down_lists_the_declarations_for_national_readers(scenario):
    dataset = upload(scenario.client("regulator"), comtrade_csv(injected_rows())).json()
    url = f"/api/v1/reconciliation/datasets/{dataset['id']}/cells/850511/DE/2025-01"
    body = scenario.client("customs_officer").get(url).json()
    assert body["declarations"] == 4
    assert {i["consignee"] for i in body["items"]} >= {"Secret Consignee 2"}
    assert body["summary"]["kg"] == "1900.000000"


def test_partner_sees_aggregates_only(scenario):
    dataset = upload(scenario.client("regulator"), comtrade_csv(injected_rows())).json()
    partner = scenario.client("partner")
    report = partner.get(f"/api/v1/reconciliation/datasets/{dataset['id']}/comparison")
    assert report.status_code == 200
    # one exporter per cell: our figures are confidential for the partner
    body = report.json()
    ours = [c for c in body["cells"] if c["confidential"]]
    assert ours and all(c["ours_kg"] is None and c["parts_kg"] is None for c in ours)
    # totals and series cover only the visible cells, or the hidden ones follow by subtraction
    assert body["confidential_cells"] == len(ours)
    visible_ours = sum(Decimal(c["ours_kg"]) for c in body["cells"] if not c["confidential"])
    assert Decimal(body["totals"]["ours_kg"]) == visible_ours
    assert sum(Decimal(m["ours_kg"]) for m in body["series"]) == visible_ours
    national = (
        scenario.client("regulator")
        .get(f"/api/v1/reconciliation/datasets/{dataset['id']}/comparison")
        .json()
    )
    assert national["confidential_cells"] == 0
    assert Decimal(national["totals"]["ours_kg"]) > visible_ours
    url = f"/api/v1/reconciliation/datasets/{dataset['id']}/cells/850511/DE/2025-01"
    drill = partner.get(url)
    assert drill.json()["items"] == [] and drill.json()["summary"] is None
    for response in (report, drill):
        for secret in SECRETS:
            assert secret not in response.content.decode()


def test_enterprise_users_see_no_reconciliation(scenario):
    client = scenario.client(scenario.magnet_maker)
    assert client.get("/api/v1/reconciliation/datasets").status_code == 403


def test_submissions_upload_and_status(world):
    text = "importer,supplier,product,kg_ordered,kg_received\nMotoren GmbH,Ningbo,X,10,0\n"
    partner = world.client("partner")
    response = partner.post(
        "/api/v1/reconciliation/submissions", {"file": SimpleUploadedFile("o.csv", text.encode())}
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"] == 1 and response.json()["matched"] == 0
    status = partner.get("/api/v1/reconciliation/submissions/status").json()
    assert status[0]["importer"] == "Motoren GmbH"
    assert status[0]["lines"][0]["status"] == "unmatched"


def test_parameters_can_be_overridden_per_request(scenario):
    dataset = upload(scenario.client("regulator"), comtrade_csv(injected_rows())).json()
    url = f"/api/v1/reconciliation/datasets/{dataset['id']}/comparison"
    client = scenario.client("regulator")
    response = client.get(url, {"set": ["valuation.cif_uplift.US=1.10", "timing.lag_days.DE=0"]})
    assert response.status_code == 200, response.content
    params = response.json()["parameters"]
    assert params["valuation"]["cif_uplift"]["US"] == 1.1
    assert params["timing"]["lag_days"]["DE"] == 0
    de_feb = next(
        c for c in response.json()["cells"] if (c["country"], c["month"]) == ("DE", "2025-02")
    )
    assert de_feb["parts_kg"]["timing"] == "0.000"  # no lag, no timing: it is unexplained
