"""The pages step: every navigation page of every demo role timed and weighed beside
the bare query behind it, on the test database (in process, as the bench child runs
it); and `--steps pages` without the year it measures is refused by name."""

from __future__ import annotations

import pytest

from reetrace.bench.report import report_rows
from reetrace.bench.steps.pages import BARE, pages
from reetrace.portal.navigation import nav_for
from reetrace.synth.demo import ENTERPRISE_DEMO_USERS, NATIONAL_DEMO_USERS
from tests.cli.helpers import run_failing

pytestmark = pytest.mark.django_db


def test_every_page_of_every_demo_role_is_timed_beside_its_bare_query(chain):
    from reetrace.accounts.models import User

    result = pages(repeat=2)
    rows = result["pages"]
    users = {r["user"] for r in rows}
    assert {name for name, _ in NATIONAL_DEMO_USERS} <= users
    assert users & {name for name, _ in ENTERPRISE_DEMO_USERS}
    for name in users:
        shown = {r["page"] for r in rows if r["user"] == name}
        assert shown == {i["url"] for i in nav_for(User.objects.get(username=name))}
    assert all(r["status"] == 200 and r["bytes"] > 1000 for r in rows), rows
    assert all(r["p95_ms"] >= r["p50_ms"] > 0 and r["first_ms"] > 0 for r in rows)
    assert all(r["bare_p50_ms"] is not None for r in rows), "a page without its bare query"
    assert len(BARE) >= len({r["page"] for r in rows})
    assert result["budget_bytes"] == 400_000
    report = [row for row in report_rows({"steps": {"pages": result}}) if "page " in row[0]]
    assert len(report) == len(rows) and all(" ms" in figure for _, figure, _, _ in report)


def test_the_pages_step_asks_for_the_year_it_measures():
    message, _ = run_failing("bench", "--steps", "pages")
    assert "bulk,pages" in message


def test_the_pages_step_loads_the_year_its_default_periods_show():
    """Pages open on the twelve months before today, so with the pages step the bench
    loads the year ending last month; other steps keep the pinned 2025-12."""
    from datetime import UTC, date, datetime

    from django.core.management.base import CommandError

    from reetrace.bench.management.commands.bench import end_month_choose

    now = datetime(2027, 3, 5, 12, tzinfo=UTC)
    assert end_month_choose(None, pages=True, now=now) == date(2027, 2, 1)
    assert end_month_choose(None, pages=False, now=now) == date(2025, 12, 1)
    assert end_month_choose("2027-02", pages=True, now=now) == date(2027, 2, 1)
    assert end_month_choose("2024-06", pages=False, now=now) == date(2024, 6, 1)
    with pytest.raises(CommandError, match="--end-month 2025-12: .* ending 2027-02"):
        end_month_choose("2025-12", pages=True, now=now)
    with pytest.raises(CommandError, match="--end-month: '2027-2' is not a month"):
        end_month_choose("2027-2", pages=False, now=now)
