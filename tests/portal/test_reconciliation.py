"""Reconciliation pages: pick or load a partner dataset, the country x month grid,
the two series and the waterfall, drill-down to declarations (partners: aggregates
only), and partner submissions with their status per importer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.reconciliation.models import PartnerDataset
from tests.portal.conftest import signed_in
from tests.portal.scenes import PARTNER_CSV, application_draft, partner_dataset


@pytest.fixture
def dataset(chain):
    return chain, partner_dataset()


def test_pick_a_dataset_and_see_the_grid_and_charts(dataset):
    world, loaded = dataset
    client = signed_in(world.users[R.REGULATOR])
    listing = client.get(reverse("reconciliation:datasets"))
    assert [r["id"] for r in listing.context["tables"]["datasets"].rows] == [loaded.pk]
    page = client.get(reverse("reconciliation:comparison", args=[loaded.pk]))
    grid = page.context["tables"]["gap_grid"]
    assert [c.key for c in grid.columns] == ["country", "2025-03"]
    assert grid.rows[0]["country"] == "DE" and grid.rows[0]["2025-03"] is not None
    cell = grid.rows[0]["cells"][0]
    assert cell["present"] and cell["value"] == grid.rows[0]["2025-03"] and cell["alpha"] > 0
    charts = page.context["charts"]
    assert charts["series"]["ours"] == [1500.0] and charts["series"]["theirs"] == [1400.0]
    waterfall = charts["waterfall"]
    assert waterfall["measures"][0] == "absolute" and waterfall["measures"][-1] == "total"
    assert sum(waterfall["values"][:-1]) == pytest.approx(1400.0)
    html = page.content.decode()
    assert 'data-table="gap_grid"' in html and 'id="reconciliation-data"' in html
    narrowed = client.get(reverse("reconciliation:comparison", args=[loaded.pk]), {"country": "JP"})
    assert narrowed.context["tables"]["cells"].rows == []


def test_drill_down_from_a_cell_to_the_declarations(dataset):
    world, loaded = dataset
    url = reverse("reconciliation:cell", args=[loaded.pk, "850511", "DE", "2025-03"])
    page = signed_in(world.users[R.CUSTOMS_OFFICER]).get(url)
    rows = page.context["tables"]["declarations"].rows
    assert [r["event_id"] for r in rows] == ["x-1"] and rows[0]["exporter_name"]
    partner = signed_in(world.users[R.PARTNER]).get(url)
    found = partner.context["cell"]
    assert found["confidential"] and found["items"] == [] and found["summary"] is None
    assert b"Ningbo" not in partner.content and b"Motoren" not in partner.content


def test_partners_see_no_figures_of_fewer_than_three_exporters(dataset):
    world, loaded = dataset
    client = signed_in(world.users[R.PARTNER])
    url = reverse("reconciliation:comparison", args=[loaded.pk])
    page = client.get(url)
    cell = page.context["tables"]["gap_grid"].rows[0]["cells"][0]
    assert cell["hidden"] and cell["value"] is None
    grid = client.get(url, {"export": "gap_grid", "format": "csv"})
    grid_csv = grid.getvalue().decode("utf-8-sig")
    assert grid_csv.splitlines()[1] == "DE,hidden (fewer than 3 exporters)"
    assert page.context["tables"]["cells"].rows[0]["ours_kg"] is None
    assert page.context["restricted"] and page.context["charts"]["series"]["ours"] == []
    assert page.context["charts"]["waterfall"] is None and b"1,500" not in page.content


def test_load_a_dataset_by_upload(chain):
    client = signed_in(chain.users[R.REGULATOR])
    url = reverse("reconciliation:dataset-load")
    fields = {"format": "comtrade", "vintage": "2025-06-01", "weight_basis": "net"}
    broken = SimpleUploadedFile("bad.csv", PARTNER_CSV.replace("1400", "lots").encode())
    refused = client.post(url, fields | {"file": broken})
    assert refused.status_code == 400
    assert "line 2" in refused.context["load_form"].errors["file"][0]
    good = SimpleUploadedFile("destatis.csv", PARTNER_CSV.encode())
    response = client.post(url, fields | {"file": good, "name": "Destatis March"})
    loaded = PartnerDataset.objects.get(name="Destatis March")
    assert response["Location"] == reverse("reconciliation:comparison", args=[loaded.pk])


def test_partner_submissions_and_status_per_importer(chain):
    application = application_draft(chain)
    partner = chain.users[R.PARTNER]
    partner.partner_country = "DE"
    partner.save()
    client = signed_in(partner)
    content = (
        "importer,supplier,product,kg_ordered,kg_received,application_reference\n"
        f"Motoren GmbH,Ningbo Magnets,MAGNET-NDFEB-SINTERED,500,0,{application.number}\n"
    )
    file = SimpleUploadedFile("orders.csv", content.encode())
    response = client.post(reverse("reconciliation:submission-upload"), {"file": file})
    assert response["Location"] == reverse("reconciliation:submissions")
    rows = client.get(response["Location"]).context["tables"]["importers"].rows
    assert rows[0]["importer"] == "Motoren GmbH" and "pending: 1" in rows[0]["status"]
    empty = SimpleUploadedFile("empty.csv", b"importer,supplier\n")
    refused = client.post(reverse("reconciliation:submission-upload"), {"file": empty})
    assert refused.status_code == 400 and refused.context["upload_form"].errors["file"]
