"""Every demo role, every page of its navigation, in Chromium at 1,280 px: no console
error, no axe-core violation, nothing wider than the window, and a screenshot of each
under var/screenshots/ (roles-<user>-<page>.png); and the alert list paged in the
browser (page 2 differs from page 1, the counts follow)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils.text import slugify

from reetrace.accounts.models import User
from reetrace.portal.navigation import nav_for
from reetrace.synth.demo import DEMO_PASSWORD, demo_users
from tests.browser.conftest import shot
from tests.browser.test_portal import catalogue_load
from tests.factories.chain import build_chain
from tests.factories.world import build_world
from tests.portal.scenes import alert, build_scene

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    catalogue_load()
    world = build_world()
    build_chain(world)
    build_scene(world)
    return world


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_every_demo_role_opens_every_page_cleanly(page, demo):
    axe = Axe()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    problems, opened = [], 0
    for login in demo_users():
        sign_in(page, login.username)
        for item in nav_for(User.objects.get(username=login.username)):
            console.clear()
            response = page.goto(item["url"])
            page.wait_for_load_state("networkidle")
            where = f"{login.username} {item['url']}"
            if response is None or response.status != 200:
                problems.append(f"{where}: status {response and response.status}")
            violations = axe.run(page).response["violations"]
            problems += [f"{where}: axe {v['id']} ({len(v['nodes'])} nodes)" for v in violations]
            problems += [f"{where}: console {text}" for text in console]
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 1280:
                problems.append(f"{where}: {width} px wide")
            shot(page, f"roles-{login.username}-{slugify(item['url']) or 'home'}")
            opened += 1
    assert opened >= 40
    assert not problems, "\n".join(problems)


def test_the_alert_list_pages_in_the_browser(page, demo):
    for n in range(3, 123):
        alert(demo, n, shared=False, severity="critical" if n < 10 else "low")
    demo_users()
    sign_in(page, "demo-regulator")
    page.goto("/compliance/alerts/")
    count = page.locator("[data-count='alerts']")
    assert count.inner_text() == "1–50 of 122"
    first = page.locator("#table-alerts tbody tr td:first-child").all_inner_texts()
    page.locator("a[rel=next]").click()
    page.wait_for_url(lambda url: "after=" in url)
    assert count.inner_text() == "51–100 of 122"
    second = page.locator("#table-alerts tbody tr td:first-child").all_inner_texts()
    assert len(first) == len(second) == 50 and not set(first) & set(second)
    page.locator("a[rel=prev]").click()
    page.wait_for_url(lambda url: "before=" in url)
    assert page.locator("#table-alerts tbody tr td:first-child").all_inner_texts() == first
    shot(page, "alerts-paged")
