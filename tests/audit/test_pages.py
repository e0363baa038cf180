"""The auditor's journal page (summary, filters, pages, downloads) and the
enterprise's page of government reads."""

from __future__ import annotations

import io

from django.test import Client
from openpyxl import load_workbook

from tests.factories.world import mine_event

API = "/api/v1"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_auditor_filters_pages_and_downloads_the_journal(world):
    world.capture(world.miner, mine_event(1))
    regulator = world.client("regulator")
    for _ in range(3):
        assert regulator.get(f"{API}/enterprises/{world.miner.identifier}/stock").status_code == 200
    page = _signed_in(world.users["auditor"]).get("/audit/?action=read")
    assert page.status_code == 200
    html = page.content.decode()
    assert "regulator-user" in html and "Page 1 of 1 (3 entries)" in html
    download = _signed_in(world.users["auditor"]).get(
        "/audit/?action=read&export=audit_journal&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "regulator-user"
    ] * 3


def test_the_journal_page_is_the_auditors_alone(world):
    assert _signed_in(world.users["admin"]).get("/audit/").status_code == 403
    assert _signed_in(world.users["regulator"]).get("/audit/").status_code == 403


def test_the_enterprise_sees_which_office_read_its_data(world):
    world.client("licensing_officer").get(f"{API}/enterprises/{world.miner.identifier}/stock")
    page = _signed_in(world.user_for(world.miner)).get("/government-reads/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "export licensing office" in html and "licensing_officer-user" not in html
