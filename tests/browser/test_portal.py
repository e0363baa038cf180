"""The portal in a real browser: each role's landing page, reporting by form and by
file, closing a month, tracing a lot and the national Sankey diagram."""

from __future__ import annotations

import pytest

from reetrace.accounts.permissions import UserRole as R
from reetrace.ledger.models import Shipment
from reetrace.registry.catalogue import STANDARD_PRODUCTS
from reetrace.registry.models import Product
from reetrace.reporting.models import MonthlyReport
from tests.browser.conftest import shot
from tests.factories.world import build_world
from tests.portal.conftest import DY_OX, MAGNET, build_chain

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
    page.get_by_role("link", name="Trace a lot").click()
    page.get_by_label("Lot code").fill(DY_OX)
    page.get_by_role("button", name="Trace").click()
    page.locator("#genealogy-chart .sankey-node").first.wait_for()
    assert page.locator("#genealogy-chart .sankey-link").count() >= 3
    shot(page, "trace-lot")


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
