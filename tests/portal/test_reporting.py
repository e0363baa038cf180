"""Reporting by form and closing a month through the portal."""

from __future__ import annotations

from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.ledger.models import Event, Shipment
from reetrace.reporting.models import MonthlyReport
from reetrace.trace.selectors import stock_of
from tests.portal.conftest import DYFE, MAGNET, signed_in


def ship_form(world, **changes) -> dict:
    data = {
        "event_id": "web-ship-1",
        "event_time": "2025-03-20T10:00",
        "lot": MAGNET,
        "mass": "100",
        "buyer": world.user_firm.identifier,
        "unit_price": "420.00",
        "currency": "CNY",
        "contract": "C-100",
    }
    return data | changes


def test_shipment_by_form_is_captured(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    response = client.post(reverse("portal:report-event", args=["ship"]), ship_form(chain))
    assert response.status_code == 302
    shipment = Shipment.objects.get(event__event_id="web-ship-1")
    assert (shipment.kg, shipment.buyer) == (100, chain.user_firm)
    assert shipment.event.event_time.isoformat() == "2025-03-20T02:00:00+00:00"
    page = client.get(response["Location"]).content.decode()
    assert "web-ship-1" in page


def test_shipment_error_is_shown_next_to_its_field_and_nothing_is_saved(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    before = Event.objects.count()
    response = client.post(
        reverse("portal:report-event", args=["ship"]), ship_form(chain, mass="900 t")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["mass"]
    assert "holds only 300.000000 kg" in errors["mass"][0]
    assert Event.objects.count() == before
    page = response.content.decode()
    assert 'class="field has-error"' in page and 'value="900 t"' in page


def test_unknown_buyer_is_named_on_the_buyer_field(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    response = client.post(
        reverse("portal:report-event", args=["ship"]), ship_form(chain, buyer="nobody")
    )
    assert "not registered" in response.context["form"].errors["buyer"][0]


def test_transformation_row_errors_land_on_their_row(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    data = {
        "event_id": "web-t-1",
        "event_time": "2025-03-21T10:00",
        "process": "magnet_making",
        "inputs-TOTAL_FORMS": "2",
        "inputs-INITIAL_FORMS": "0",
        "inputs-0-lot": MAGNET,
        "inputs-0-mass": "10",
        "inputs-1-lot": DYFE,
        "inputs-1-mass": "5",
        "outputs-TOTAL_FORMS": "1",
        "outputs-INITIAL_FORMS": "0",
        "outputs-0-product": "MAGNET-NDFEB-SINTERED",
        "outputs-0-mass": "10",
        "outputs-0-composition": "Nd=0.245",
    }
    response = client.post(reverse("portal:report-event", args=["transform"]), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "does not hold" in form.inputs.forms[1].errors["lot"][0]
    assert not form.inputs.forms[0].errors


def test_close_a_month_after_seeing_its_summary(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    page = client.get(reverse("portal:close"), {"period": "2025-03"})
    summary = page.context["summary"]
    assert summary["events"] == 5
    assert {row["flow"] for row in summary["flows"]} >= {"exported", "shipped", "received"}
    response = client.post(reverse("portal:close"), {"period": "2025-03"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(enterprise=chain.magnet_maker)
    assert (f"{report.period:%Y-%m}", report.event_count) == ("2025-03", 5)
    again = client.post(reverse("portal:close"), {"period": "2025-03"})
    assert again.status_code == 400 and "already closed" in again.context["error"]


def test_dashboard_shows_stock_events_and_closed_months(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    client.post(reverse("portal:close"), {"period": "2025-03"})
    page = client.get(reverse("portal:dashboard"))
    tables = page.context["tables"]
    stock = tables["stock_by_product"].rows
    assert [(r["product"], r["kg"]) for r in stock] == [("MAGNET-NDFEB-SINTERED", 300)]
    assert [r["period"] for r in tables["closed_months"].rows] == ["2025-03"]
    listed = {r["event_id"] for r in tables["recent_events"].rows}
    own = set(Event.objects.filter(reporter=chain.magnet_maker).values_list("event_id", flat=True))
    assert "x-1" in listed and listed == own
    assert "s-m" not in listed, "a shipment to it is another's event"
    assert "kg" in page.content.decode()


def test_long_pick_lists_become_a_scoped_typeahead(chain, monkeypatch):
    """Over the datalist limit the page sends no options but the endpoint's address;
    the endpoint searches by identifier or name and answers only what the enterprise
    may pick (its own lots; active domestic parties, not itself)."""
    from reetrace.portal.views import reporting

    user = chain.user_for(chain.separator)
    client = signed_in(user)
    page = client.get(reverse("portal:report-event", args=["ship"]))
    lists = page.context["datalists"]
    assert lists["domestic-parties"]["options"] and not lists["domestic-parties"]["typeahead"]
    monkeypatch.setattr(reporting, "DATALIST_MAX", 1)
    page = client.get(reverse("portal:report-event", args=["ship"]))
    url = reverse("portal:suggest", args=["domestic-parties"])
    assert page.context["datalists"]["domestic-parties"] == {"options": [], "typeahead": url}
    assert f'data-typeahead="{url}"' in page.content.decode()
    found = client.get(url, {"q": chain.magnet_maker.display_name[:8]}).json()["options"]
    assert {
        "value": chain.magnet_maker.identifier,
        "label": chain.magnet_maker.display_name,
    } in found
    everyone = {o["value"] for o in client.get(url).json()["options"]}
    assert chain.separator.identifier not in everyone
    lots = client.get(reverse("portal:suggest", args=["held-lots"]), {"q": "RT"}).json()
    held = {
        line["lot"] for line in stock_of(enterprise=chain.separator) if line["state"] == "in_stock"
    }
    assert {o["value"] for o in lots["options"]} == held
    assert client.get(reverse("portal:suggest", args=["everything"])).status_code == 404
    assert signed_in(chain.users[R.REGULATOR]).get(url).status_code == 403
