"""Every new page: labels on every input, units on figures, Chinese, phone-safe markup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from tests.portal.conftest import signed_in
from tests.portal.scenes import build_scene
from tests.portal.test_i18n import Inputs


@pytest.fixture
def scene(chain):
    return chain, build_scene(chain)


def pages(world, made) -> list[tuple[str, str]]:
    number, dataset = made.application.number, made.dataset.pk
    return [
        (R.REGULATOR, reverse("compliance:alerts")),
        (R.REGULATOR, reverse("compliance:alert", args=[made.shared.pk])),
        (R.REGULATOR, reverse("compliance:cases")),
        (R.REGULATOR, reverse("compliance:case", args=[made.case.pk])),
        (R.REGULATOR, reverse("compliance:risk")),
        (R.REGULATOR, reverse("compliance:run", args=[made.run.pk])),
        (R.REGULATOR, reverse("reconciliation:datasets")),
        (R.REGULATOR, reverse("reconciliation:comparison", args=[dataset])),
        (R.ENTERPRISE, reverse("exportcontrol:application-new")),
        (R.ENTERPRISE, reverse("exportcontrol:application", args=[number])),
        (R.ENTERPRISE, reverse("exportcontrol:applications")),
        (R.ENTERPRISE, reverse("portal:dashboard")),
        (R.LICENSING_OFFICER, reverse("exportcontrol:desk")),
        (R.LICENSING_OFFICER, reverse("exportcontrol:statistics")),
        (R.PARTNER, reverse("reconciliation:submissions")),
    ]


def test_every_input_on_the_new_pages_has_a_label(scene):
    world, made = scene
    for role, url in pages(world, made):
        page = signed_in(world.users[role]).get(url)
        assert page.status_code == 200, url
        found = Inputs()
        found.feed(page.content.decode())
        assert found.controls <= found.labelled, (url, found.controls - found.labelled)


def test_the_new_pages_are_translated(scene):
    world, made = scene
    for role, url in pages(world, made):
        client = signed_in(world.users[role])
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        html = client.get(url).content.decode()
        assert 'lang="zh-hans"' in html, url
        for english in ("Alerts", "Licence applications", "Reconciliation", "Download"):
            assert f">{english}<" not in html, (url, english)
