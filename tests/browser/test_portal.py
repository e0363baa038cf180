"""The portal in a real browser: each role's landing page, reporting by form (also
with the keyboard only) and by file, closing a month, tracing a lot, the national
Sankey diagram, applying for a licence that the officer approves, the alerts and the
reconciliation grid."""

from __future__ import annotations

import pytest

from reetrace.accounts.permissions import UserRole as R
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.models import Application
from reetrace.ledger.models import Shipment
from reetrace.registry.catalogue import STANDARD_PRODUCTS
from reetrace.registry.models import Product
from reetrace.reporting.models import MonthlyReport
from tests.browser.conftest import shot
from tests.factories.chain import DY_OX, MAGNET, build_chain
from tests.factories.world import build_world
from tests.portal.scenes import alert, partner_dataset

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct-horse-battery"
LANDING = {
    R.ENTERPRISE: "Ningbo Magnets",
    R.REGULATOR: "National overview",
    R.LICENSING_OFFICER: "National overview",
    R.CUSTOMS_OFFICER: "National overview",
    R.AUDITOR: "National overview",
    R.ADMIN: "National overview",
    R.PARTNER: "Export statistics",
}


def catalogue_load() -> None:
    """Transactional tests flush every table afterwards, the migrated catalogue too."""
    for code, form, hs_code, description in STANDARD_PRODUCTS:
        Product.objects.get_or_create(
            code=code, defaults={"form": form, "hs_code": hs_code, "description": description}
        )


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    catalogue_load()
    world = build_world()
    build_chain(world)
    return world


def go(page, task: str, link: str) -> None:
    """Open a page from the navigation: the task's menu, then the link in it."""
    page.locator("nav details.task summary", has_text=task).click()
    page.get_by_role("link", name=link, exact=True).click()


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_each_role_signs_in_and_lands_on_its_page(page, world):
    for role, heading in LANDING.items():
        sign_in(page, world.users[role].username)
        page.get_by_role("heading", level=1, name=heading).wait_for()
        shot(page, f"landing-{role}")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()


def test_report_a_shipment_by_form(page, world):
    sign_in(page, world.users[R.ENTERPRISE].username)
    page.goto("/report/ship/")
    page.get_by_label("Event time (China Standard Time)").fill("2025-03-20T10:00")
    page.get_by_label("Lot").fill(MAGNET)
    page.get_by_label("Mass shipped").fill("900 t")
    page.get_by_label("Customer").fill(world.user_firm.identifier)
    page.get_by_label("Unit price (per kg)").fill("420")
    page.get_by_label("Contract or invoice number").fill("C-900")
    page.get_by_role("button", name="Record").click()
    page.locator(".has-error .error").filter(has_text="holds only").wait_for()
    shot(page, "report-shipment-error")
    page.get_by_label("Mass shipped").fill("25 kg")
    page.get_by_role("button", name="Record").click()
    page.locator(".messages").filter(has_text="Recorded shipment").wait_for()
    shot(page, "report-shipment-recorded")
    assert Shipment.objects.get(contract="C-900").kg == 25


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus: what a keyboard user has to do."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_report_a_shipment_with_the_keyboard_only(page, world):
    sign_in(page, world.users[R.ENTERPRISE].username)
    page.goto("/report/ship/")
    tab_to(page, "id_lot")  # past the menu and the event time, which defaults to now
    for element_id, typed in [
        ("id_lot", MAGNET),
        ("id_mass", "25 kg"),
        ("id_buyer", world.user_firm.identifier),
        ("id_unit_price", "420"),
        ("id_currency", ""),  # CNY already
        ("id_contract", "K-25"),
    ]:
        assert page.evaluate("document.activeElement.id") == element_id
        page.keyboard.type(typed)
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Record"
    page.keyboard.press("Enter")
    page.locator(".messages").filter(has_text="Recorded shipment").wait_for()
    shipment = Shipment.objects.get(contract="K-25")
    assert shipment.kg == 25 and shipment.buyer_id == world.user_firm.pk


def csv_file(world, mass: str) -> dict:
    header = "event_id,kind,event_time,lot,mass,buyer,unit_price,currency,contract\n"
    buyer = world.user_firm.identifier
    row = f"b-1,ship,2025-03-20T10:00:00+08:00,{MAGNET},{mass},{buyer},400,CNY,B-1\n"
    return {"name": "sales.csv", "mimeType": "text/csv", "buffer": (header + row).encode()}


def test_upload_a_file_with_an_error_then_a_fixed_one(page, world):
    sign_in(page, world.users[R.ENTERPRISE].username)
    page.goto("/report/file/")
    page.get_by_label("CSV or XLSX file").set_input_files(csv_file(world, "900 t"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Check every row (nothing is saved)").click()
    page.locator("#table-row_errors").filter(has_text="holds only").wait_for()
    shot(page, "upload-errors")
    page.goto("/report/file/")
    page.get_by_label("CSV or XLSX file").set_input_files(csv_file(world, "30"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Check every row (nothing is saved)").click()
    page.get_by_role("button", name="Save 1 event").click()
    page.locator(".state-committed").wait_for()
    shot(page, "upload-saved")
    assert Shipment.objects.get(contract="B-1").kg == 30


def test_close_a_month(page, world):
    sign_in(page, world.users[R.ENTERPRISE].username)
    page.goto("/report/close/?period=2025-03")
    page.get_by_role("heading", name="What closing").wait_for()
    shot(page, "close-month-summary")
    page.get_by_role("button", name="Close").last.click()
    page.locator(".messages").filter(has_text="is closed").wait_for()
    shot(page, "close-month-done")
    assert MonthlyReport.objects.filter(enterprise=world.magnet_maker).count() == 1


def test_trace_a_lot(page, world):
    sign_in(page, world.users[R.REGULATOR].username)
    go(page, "Investigate", "Trace a lot")
    page.get_by_label("Lot code").fill(DY_OX)
    page.get_by_role("button", name="Trace").click()
    page.locator("#genealogy-chart .sankey-node").first.wait_for()
    assert page.locator("#genealogy-chart .sankey-link").count() >= 3
    shot(page, "trace-lot")
    page.goto(f"/lots/{DY_OX}/label")
    assert page.get_by_role("button", name="Print").is_visible()


def test_open_the_sankey(page, world):
    sign_in(page, world.users[R.REGULATOR].username)
    page.goto("/national/?start=2025-03&end=2025-03&element=Dy")
    page.locator("#sankey-chart .sankey-node").first.wait_for()
    page.locator("#volumes-chart .bars").first.wait_for()
    assert page.locator("#sankey-chart .sankey-node").count() == 6
    shot(page, "national-sankey-dy")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.get_by_role("heading", level=1, name="全国概览").wait_for()
    shot(page, "national-sankey-dy-phone-zh")


def pdf(kind: str) -> dict:
    return {
        "name": f"{kind}.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF " + kind.encode(),
    }


def apply_for_a_licence(page) -> str:
    """The enterprise fills the application form and saves the draft; returns its number."""
    page.get_by_role("link", name="Apply for an export licence").first.click()
    page.locator("#id_consignee_name").fill("Motoren GmbH")
    page.get_by_label("Consignee country").fill("DE")
    page.locator("#id_end_user_name").fill("Motoren GmbH Werk 2")
    page.get_by_label("End-user country").fill("DE")
    page.locator("#id_end_use").fill("traction motors for passenger cars")
    page.get_by_label("Destination country").fill("DE")
    page.get_by_label("Contract number").fill("K-2025-17")
    page.locator("#id_items-0-product").select_option("MAGNET-NDFEB-SINTERED")
    page.locator("#id_items-0-composition").fill("Nd=0.29;Dy=0.021")
    page.locator("#id_items-0-mass").fill("500")
    page.locator("#id_items-0-value").fill("60000")
    page.locator("#id_items-0-currency").fill("USD")
    shot(page, "licence-1-apply-form")
    page.get_by_role("button", name="Save the draft").click()
    page.locator(".messages").filter(has_text="saved").wait_for()
    return page.get_by_role("heading", level=1).inner_text().split()[-1]


def test_apply_for_a_licence_and_the_officer_approves_it(page, world):
    sign_in(page, world.users[R.ENTERPRISE].username)
    number = apply_for_a_licence(page)
    for kind in REQUIRED_DOCUMENTS:
        page.get_by_label("Document kind").select_option(kind)
        page.get_by_label("File (at most 20 MiB)").set_input_files(pdf(kind))
        page.get_by_role("button", name="Upload document").click()
        page.locator(".messages").filter(has_text="Document uploaded").wait_for()
    assert page.locator("#missing").count() == 0
    shot(page, "licence-2-documents-uploaded")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.locator(".app-state").filter(has_text="submitted").wait_for()
    shot(page, "licence-3-submitted")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, world.users[R.LICENSING_OFFICER].username)
    go(page, "Licensing", "Licensing desk")
    shot(page, "licence-4-desk-queue")
    page.get_by_role("link", name=number).click()
    for action, state in (("accept", "accepted"), ("start_review", "under review")):
        page.get_by_label("Decision").select_option(action)
        page.get_by_role("button", name="Record the decision").click()
        page.locator(".app-state").filter(has_text=state).wait_for()
        if action == "accept":
            shot(page, "licence-5-accepted")
    page.get_by_label("Decision").select_option("approve")
    page.get_by_label("Comment").fill("End use verified.")
    page.get_by_role("button", name="Record the decision").click()
    page.locator(".app-state").filter(has_text="approved").wait_for()
    shot(page, "licence-6-approved")
    application = Application.objects.get(number=number)
    assert application.state == "approved" and application.licence.number.startswith("EL-")


def test_open_the_alerts_and_the_reconciliation_grid(page, world):
    alert(world, 1, shared=True)
    alert(world, 2, shared=False, enterprise=world.miner, rule="quota_usage", severity="info")
    dataset = partner_dataset()
    sign_in(page, world.users[R.REGULATOR].username)
    go(page, "Investigate", "Alerts")
    page.locator("#table-alerts tbody tr").nth(1).wait_for()
    shot(page, "alerts-list")
    page.get_by_label("Enterprise identifier").fill(world.miner.identifier)
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#table-alerts tbody tr").count() == 1
    page.locator("#table-alerts tbody a").first.click()
    page.locator("#alert-figures").wait_for()
    shot(page, "alert-detail")
    page.goto(f"/reconciliation/{dataset.pk}/")
    page.locator("#table-gap_grid td.gap-cell").first.wait_for()
    page.locator("#series-chart .main-svg").first.wait_for()
    page.locator("#waterfall-chart .main-svg").first.wait_for()
    shot(page, "reconciliation-grid")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("#waterfall-chart .main-svg").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(page, "reconciliation-grid-phone")
