"""Lists paged, sorted and filtered on the server: counts, keyset links that move and
come back, `?page=` typed by hand, filters kept in the links, the whole filtered list
in the download, and a 400 naming the parameter for what a list cannot answer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from django.test import RequestFactory
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.core.tables import Column, Table
from reetrace.portal.paging import PAGE_SIZE
from reetrace.portal.tables import export_or_render
from reetrace.registry.models import Enterprise
from tests.factories.registry import EnterpriseFactory
from tests.portal.conftest import signed_in
from tests.portal.scenes import alert

SEVERITIES = ["low", "critical", "medium", "high", "info"]


@pytest.fixture
def many(chain):
    """120 alerts, severities mixed, in twelve months; 24 of them on another rule."""
    for n in range(120):
        alert(
            chain,
            n,
            shared=False,
            severity=SEVERITIES[n % 5],
            period=date(2025, 1 + n % 12, 1),
            rule="quota_usage" if n % 5 == 0 else "short_receipt",
        )
    return chain


def ids(response) -> list[int]:
    return [row["id"] for row in response.context["tables"]["alerts"].rows]


def link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return unescape(found.group(1)) if found else None


def test_alerts_are_paged_by_keyset_most_severe_then_newest_first(many):
    client = signed_in(many.users[R.REGULATOR])
    url = reverse("compliance:alerts")
    first = client.get(url)
    assert len(ids(first)) == PAGE_SIZE
    assert "1–50 of 120" in first.content.decode()
    ranks = [
        SEVERITIES.index(r["severity"].lower()) for r in first.context["tables"]["alerts"].rows
    ]
    assert [r["severity"] for r in first.context["tables"]["alerts"].rows][:24] == ["critical"] * 24
    assert len(set(ranks)) == 3  # critical, high, then medium: most severe first
    second = client.get(url + link(first, "next"))
    assert "51–100 of 120" in second.content.decode()
    assert not set(ids(first)) & set(ids(second))
    third = client.get(url + link(second, "next"))
    assert "101–120 of 120" in third.content.decode() and link(third, "next") is None
    assert len(set(ids(first) + ids(second) + ids(third))) == 120
    back = client.get(url + link(third, "prev"))
    assert ids(back) == ids(second) and "51–100 of 120" in back.content.decode()
    assert ids(client.get(url, {"page": 2})) == ids(second)
    periods = [
        r["period"] for r in second.context["tables"]["alerts"].rows if r["severity"] == "high"
    ]
    assert periods == sorted(periods, reverse=True)  # newest first within a severity


def test_sorting_and_filters_are_kept_in_the_page_links(many):
    client = signed_in(many.users[R.REGULATOR])
    url = reverse("compliance:alerts")
    page = client.get(url, {"rule": "short_receipt", "sort": "period"})
    assert "1–50 of 96" in page.content.decode()
    following = link(page, "next")
    assert "rule=short_receipt" in following and "sort=period" in following
    second = client.get(url + following)
    rows = page.context["tables"]["alerts"].rows + second.context["tables"]["alerts"].rows
    assert all(r["rule"] == "short_receipt" for r in rows)
    assert [r["period"] for r in rows] == sorted((r["period"] for r in rows), reverse=True)
    ascending = client.get(url, {"rule": "short_receipt", "sort": "-period"})
    assert ascending.context["tables"]["alerts"].rows[0]["period"] == "2025-01"


def test_the_download_gives_the_whole_filtered_list(many):
    client = signed_in(many.users[R.REGULATOR])
    url = reverse("compliance:alerts")
    got = client.get(url, {"rule": "short_receipt", "export": "alerts", "format": "csv"})
    rows = list(csv.reader(io.StringIO(got.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1 + 96
    assert len({r[0] for r in rows[1:]}) == 96


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"after": "not-a-cursor"}, "after:"),
        ({"sort": "fingerprint"}, "sort:"),
        ({"page": "0"}, "page:"),
        ({"page": "two"}, "page:"),
    ],
)
def test_what_a_list_cannot_answer_is_a_400_naming_the_parameter(many, query, named):
    client = signed_in(many.users[R.REGULATOR])
    got = client.get(reverse("compliance:alerts"), query)
    assert got.status_code == 400
    assert got.content.decode().startswith(named)


def _table(n: int) -> Table:
    rows = [{"name": f"row {i:03d}", "kg": i % 7} for i in range(n)]
    return Table(
        "things", "Things", [Column("name", "Name"), Column("kg", "Mass (kg)", "kg")], rows
    )


def _render(query: dict, *tables: Table):
    request = RequestFactory().get("/anything/", query)
    return export_or_render(request, "portal/_table.html", {"table": tables[0]}, list(tables))


def test_computed_rows_are_paged_and_sorted_by_the_paginator(db):
    first, second = _table(130), _table(130)
    assert _render({}, first).status_code == 200
    assert [r["name"] for r in first.rows][:2] == ["row 000", "row 001"]
    assert (first.pager.first, first.pager.last, first.pager.total) == (1, 50, 130)
    _render({"page": "3", "sort": "-kg"}, second)
    assert (second.pager.first, second.pager.last) == (101, 130)
    assert [r["kg"] for r in second.rows] == [1] * 11 + [0] * 19  # heaviest first: lightest last
    assert _render({"page": "4"}, _table(130)).status_code == 400


def test_a_second_table_answers_prefixed_parameters(db):
    main, other = _table(60), _table(60)
    _render(
        {"page": "2", "other-page": "1"}, main, Table("other", "Other", other.columns, other.rows)
    )
    assert main.pager.first == 51


def test_the_register_pages_every_enterprise_by_keyset(chain):
    """The register once stopped at its first 200 enterprises and built a row for each
    of them; it now pages all of them, in identifier order, the search kept in the links."""
    for n in range(230):
        EnterpriseFactory(name_en=f"Paged firm {n}")
    client = signed_in(chain.users[R.REGULATOR])
    url = reverse("portal:enterprises")
    seen, page = [], client.get(url)
    while True:
        rows = page.context["tables"]["enterprises"].rows
        assert len(rows) <= PAGE_SIZE
        seen += [r["identifier"] for r in rows]
        following = link(page, "next")
        if following is None:
            break
        page = client.get(url + following)
    everyone = list(Enterprise.objects.order_by("identifier").values_list("identifier", flat=True))
    assert len(everyone) > 230 and seen == everyone
    found = client.get(url, {"q": "Paged firm 1"})  # 1, 10-19, 100-199
    assert "1–50 of 111" in found.content.decode()
    assert "q=Paged+firm+1" in link(found, "next")
