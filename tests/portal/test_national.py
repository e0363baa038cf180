"""National overview (Sankey of Dy, exports, reporting gaps), tracing, table downloads."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from reetrace.accounts.permissions import UserRole as R
from reetrace.portal.flows import element_flows
from tests.portal.conftest import DY_OX, DYFE, MAGNET, B, signed_in

MARCH = {"start": "2025-03", "end": "2025-03", "element": "Dy"}
DY = Decimal("1.1477")  # Dy2O3 per kg Dy metal


def test_sankey_follows_dy_from_mine_to_customers(chain):
    flows = element_flows(element="Dy", start=date(2025, 3, 1), end=date(2025, 3, 1))
    links = {(s, t): kg for (s, t), kg in flows.links.items()}
    assert links == {
        ("mining", "separation"): Decimal("99.999"),  # 87.13 kg Dy in the oxide lot
        ("separation", "metals"): (80 * DY).quantize(Decimal("0.001")),
        ("metals", "magnets"): (70 * DY).quantize(Decimal("0.001")),
        ("magnets", "export:DE"): (Decimal("52.5") * DY).quantize(Decimal("0.001")),
        ("magnets", "domestic"): (7 * DY).quantize(Decimal("0.001")),
    }
    chart = flows.chart()
    assert chart["labels"][-1] == "Export DE" and chart["unit"] == "Dy REO kg"


def test_sankey_is_empty_outside_the_period_and_for_absent_elements(chain):
    assert not element_flows(element="Dy", start=date(2025, 4, 1), end=date(2025, 5, 1)).links
    assert not element_flows(element="Lu", start=date(2025, 3, 1), end=date(2025, 3, 1)).links


def test_overview_page_draws_the_charts_from_embedded_data(chain):
    client = signed_in(chain.users[R.REGULATOR])
    page = client.get(reverse("portal:national"), MARCH)
    assert page.context["sankey"]["value"][0] > 0
    assert page.context["volumes"]["series"] == [{"name": "DE", "values": [1500.0]}]
    html = page.content.decode()
    assert 'id="sankey-data"' in html and "/assets/plotly-" in html and "cdn" not in html
    laggards = {r["identifier"] for r in page.context["tables"]["not_closed"].rows}
    assert chain.magnet_maker.identifier in laggards


def test_customs_sees_the_overview_without_reporting_compliance(chain):
    page = signed_in(chain.users[R.CUSTOMS_OFFICER]).get(reverse("portal:national"), MARCH)
    assert "not_closed" not in page.context["tables"]


def test_trace_a_lot_shows_its_genealogy_both_ways(chain):
    client = signed_in(chain.users[R.REGULATOR])
    response = client.get(reverse("portal:trace"), {"code": DY_OX.lower()})
    assert response["Location"] == reverse("portal:lot", args=[DY_OX])
    page = client.get(response["Location"])
    edges = page.context["tables"]["genealogy"].rows
    kinds = sorted(e["kind"] for e in edges)
    assert kinds.count("transformation") >= 2 and "shipment" in kinds
    dyfe = next(e for e in edges if e["to"].startswith(DYFE))
    assert dyfe["kg"] == 100 and "Dy 91.816" in dyfe["reo"]
    origins = page.context["tables"]["origins"].rows
    assert [o["lot"] for o in origins if o["attributed_reo_kg"]] == [B]
    chart = page.context["chart"]
    assert len(chart["source"]) == len(edges) and reverse("portal:lot", args=[B]) in chart["urls"]


def test_a_mistyped_code_is_explained(chain):
    page = signed_in(chain.users[R.REGULATOR]).get(reverse("portal:trace"), {"code": "RT123"})
    assert page.status_code == 400 and "must be 'RT'" in page.context["error"]


def test_enterprise_user_trace_redacts_other_parties(chain):
    page = signed_in(chain.user_for(chain.magnet_maker)).get(reverse("portal:lot", args=[MAGNET]))
    html = page.content.decode()
    assert "Baotou Mining" not in html and "(another enterprise)" in html


def test_tables_download_as_csv_and_xlsx(chain):
    client = signed_in(chain.users[R.REGULATOR])
    url = reverse("portal:national")
    csv = client.get(url, {**MARCH, "export": "exports_by_destination", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,Destination,HS code,Mass (kg)"
    assert lines[1] == "2025-03,DE,8505111000,1500.000000"
    xlsx = client.get(url, {**MARCH, "export": "flows", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("From", "To", "Dy (REO kg)")
    assert rows[1] == ("Mining", "Separation (compounds, oxides)", 99.999)


def test_partner_sees_pooled_aggregates_without_names(chain):
    page = signed_in(chain.users[R.PARTNER]).get(reverse("portal:exports"), MARCH)
    rows = page.context["tables"]["exports_by_destination"].rows
    assert rows == [
        {"month": "2025-03", "destination": "**", "hs_code": "confidential", "kg": 1500}
    ]
    html = page.content.decode()
    assert "Motoren" not in html and "Ningbo" not in html


def test_enterprise_page_shows_profile_stock_and_counterparties(chain):
    client = signed_in(chain.users[R.REGULATOR])
    page = client.get(reverse("portal:enterprise", args=[chain.magnet_maker.identifier]))
    tables = page.context["tables"]
    sold = {(r["identifier"], r["kg"]) for r in tables["counterparties"].rows}
    assert (chain.user_firm.identifier, 200) in sold
    assert [r["kg"] for r in tables["stock_by_product"].rows] == [300]
    licensing = signed_in(chain.users[R.LICENSING_OFFICER])
    tables = licensing.get(
        reverse("portal:enterprise", args=[chain.magnet_maker.identifier])
    ).context["tables"]
    assert "counterparties" not in tables and "stock_by_product" in tables


def test_charts_name_the_ten_biggest_destinations_and_sum_the_rest():
    """Fourteen destinations: ten nodes and bar parts of their own, one for the four
    smallest together (the table keeps every destination)."""
    from decimal import Decimal

    from reetrace.portal.flows import Flows
    from reetrace.portal.views.national import export_volumes

    flows = Flows("Dy", date(2025, 1, 1), date(2025, 12, 1))
    countries = [f"C{n:02d}" for n in range(14)]
    for n, country in enumerate(countries):
        flows.add("magnets", f"export:{country}", Decimal(100 + n))
    flows.add("mining", "separation", Decimal(5000))
    chart = flows.chart()
    exports = [label for label in chart["labels"] if label.startswith("Export")]
    assert len(exports) == 11 and exports[-1] == "Export, 4 other destinations"
    assert "Export C13" in exports and "Export C03" not in exports
    other = chart["labels"].index("Export, 4 other destinations")
    into_other = [v for t, v in zip(chart["target"], chart["value"], strict=True) if t == other]
    assert into_other == [float(100 + 101 + 102 + 103)]
    assert len(flows.rows()) == 15
    cells = [
        {"month": "2025-03", "destination": c, "kg": Decimal(n + 1)}
        for n, c in enumerate(countries)
    ]
    volumes = export_volumes(cells)
    names = [s["name"] for s in volumes["series"]]
    assert len(names) == 11 and names[-1] == "Other destinations (4)"
    assert volumes["series"][-1]["values"] == [1.0 + 2 + 3 + 4]
