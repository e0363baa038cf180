"""One date style and the navigation by task: the `when` filter in English and
zh-Hans, and each role's pages grouped under the tasks they serve."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from reetrace.accounts.permissions import UserRole as R
from reetrace.portal.navigation import GROUPS, nav_for, nav_groups_for
from reetrace.portal.templatetags.portal import when

NEW_YEARS_EVE = datetime(2025, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 in China


@pytest.mark.parametrize(
    ("language", "value", "part", "shown"),
    [
        ("en", NEW_YEARS_EVE, "", "2025-12-31 23:59"),
        ("en", NEW_YEARS_EVE, "day", "2025-12-31"),
        ("en", date(2025, 2, 6), "", "2025-02-06"),
        ("en", date(2025, 12, 1), "month", "2025-12"),
        ("zh-hans", NEW_YEARS_EVE, "", "2025年12月31日 23:59"),
        ("zh-hans", date(2025, 2, 6), "", "2025年2月6日"),
        ("zh-hans", date(2025, 12, 1), "month", "2025年12月"),
        ("en", None, "", ""),
    ],
)
def test_one_date_style_in_china_time(language, value, part, shown):
    with translation.override(language):
        assert when(value, part) == shown


def test_a_regulators_pages_are_grouped_by_task(world):
    regulator = world.users[R.REGULATOR]
    groups = nav_groups_for(regulator, "/licences/statistics/")
    assert [g["key"] for g in groups] == [k for k in GROUPS if k in {g["key"] for g in groups}]
    assert len(groups) <= 6 < len(nav_for(regulator))
    by_key = {g["key"]: [str(i["label"]) for i in g["items"]] for g in groups}
    assert {"Alerts", "Cases", "Trace a lot"} <= set(by_key["investigate"])
    assert (
        "Licensing statistics" in by_key["licensing"] and "National overview" in by_key["monitor"]
    )
    current = [g["key"] for g in groups if g["current"]]
    assert current == ["licensing"]
    flat = [i["url"] for g in groups for i in g["items"]]
    assert sorted(flat) == sorted(i["url"] for i in nav_for(regulator))
