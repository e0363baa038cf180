"""Licensing statistics on known working-day lead times: API, `reetrace licences stats`
text and JSON, including decisions whose due date lies beyond the official calendar."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from reetrace.exportcontrol import selectors
from reetrace.exportcontrol.stats import licensing_stats
from tests.exportcontrol.helpers import Frozen, cst, export, magnet_lot, reviewed

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions(world, monkeypatch):
    """Four decisions (5, 10, 20 and 14 working days), one overdue and one open
    application whose due date is in 2027; 700 kg licensed, 200 kg exported."""
    Frozen(monkeypatch, cst(2026, 11, 25))
    fast = reviewed(world, 1, accepted=date(2025, 6, 9), on=date(2025, 6, 16), kg="300")
    reviewed(world, 2, accepted=date(2025, 6, 9), on=date(2025, 6, 23), kg="200")
    reviewed(world, 3, accepted=date(2025, 6, 9), on=date(2025, 7, 7), action="reject")
    late = reviewed(world, 4, accepted=date(2025, 6, 9))
    # accepted 2 Nov 2026, decided 20 Nov: its 45th working day would fall in 2027
    reviewed(world, 5, accepted=date(2026, 11, 2), on=date(2026, 11, 20), kg="200")
    reviewed(world, 6, accepted=date(2026, 11, 16))
    lot = magnet_lot(world)
    shipped = export(1, lot, "200", licence=fast.licence.number, day=(7, 1))
    world.capture(world.magnet_maker, shipped)
    return late


def test_lead_times_overdue_and_kg(decisions):
    stats = licensing_stats(today=date(2026, 11, 25))
    assert stats["decided"] == 4
    assert stats["median_working_days_to_decision"] == 12  # of 5, 10, 14, 20
    assert stats["p90_working_days_to_decision"] == 20.0
    assert stats["overdue"] == [decisions.number]
    assert stats["clock_provisional"] == 2  # the two accepted in November 2026
    assert stats["backlog"] == [{"state": "under_review", "count": 2}]
    assert stats["by_destination"] == [{"key": "DE", "approved": 3, "rejected": 1}]
    assert (stats["licensed_kg"], stats["exported_kg"]) == (Decimal(700), Decimal(200))


def test_the_desk_and_lead_times_include_applications_due_in_an_uncovered_year(world, decisions):
    officer = world.users["licensing_officer"]
    lead = selectors.lead_times(actor=officer, today=date(2026, 11, 25))
    assert sorted(r["days"] for r in lead) == [5, 10, 14, 20]
    queue = selectors.desk_queue(actor=officer, today=date(2026, 11, 25))
    assert [r["application"].number for r in queue][0] == decisions.number
    waiting = queue[1]["clock"]
    assert (waiting.elapsed, waiting.left) == (7, 38)  # 17-25 Nov
    assert waiting.provisional and waiting.due == date(2027, 1, 18)
    assert "no official working-day schedule for 2027" in waiting.note


def test_the_api_and_both_cli_outputs_agree(world, decisions):
    body = world.client("regulator").get("/api/v1/exportcontrol/stats").json()
    assert body["as_of"] == "2026-11-25"
    assert body["median_working_days_to_decision"] == 12.0
    assert body["overdue"] == [decisions.number]

    out = StringIO()
    call_command("licences", "stats", "--json", stdout=out)
    cli = json.loads(out.getvalue())
    assert {k: cli[k] for k in ("decided", "overdue", "p90_working_days_to_decision")} == {
        "decided": 4,
        "overdue": [decisions.number],
        "p90_working_days_to_decision": 20.0,
    }

    out = StringIO()
    call_command("licences", "stats", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "licensing as of 2026-11-25: 6 applications"
    assert lines[1] == "backlog: under_review 2"
    assert lines[2] == "decided: 4; working days to decision: median 12.0, p90 20.0"
    assert lines[3] == f"overdue: {decisions.number}"
    assert "by destination (approved/rejected): DE +3/-1" in lines
    assert lines[-1] == "licensed 700 kg, exported 200 kg"


def test_the_statistics_read_a_fixed_number_of_queries(decisions, django_assert_num_queries):
    """Counts are grouped in the database, decided applications' working days are read
    from the column kept at the decision, the histories and items of the others once
    for all (not once per application: the page took 6.2 s at small scale), the items
    grouped by their control codes, with those of applications whose items differ; the one
    year chinesecalendar lacks (2027) is looked up once for all clocks."""
    with django_assert_num_queries(12):
        stats = licensing_stats(today=date(2026, 11, 25))
    assert stats["lead_time_counts"] == {5: 1, 10: 1, 14: 1, 20: 1}


def test_working_days_kept_at_decisions_are_those_the_clocks_count(decisions):
    """The four decisions are stored at their decision (the one whose due date falls in
    2027 stays provisional, so it is counted when read); with nothing stored, every
    clock is counted when read, and the statistics are the same."""
    from reetrace.exportcontrol.models import Application

    kept = Application.objects.filter(decision_working_days__isnull=False)
    assert sorted(kept.values_list("decision_working_days", flat=True)) == [5, 10, 20]
    stored = licensing_stats(today=date(2026, 11, 25))
    Application.objects.update(decision_working_days=None)
    assert licensing_stats(today=date(2026, 11, 25)) == stored


def test_loading_the_uncovered_year_keeps_the_decision_it_made_provisional(world, decisions):
    """The decision whose due date fell in 2027 was provisional, so nothing was kept;
    once 2027's schedule is loaded its 14 working days are kept like the others."""
    from reetrace.exportcontrol.models import Application
    from reetrace.exportcontrol.services.calendar import schedule_load
    from tests.exportcontrol.access import SCHEDULE_2027

    schedule_load(
        text=SCHEDULE_2027.read_text(encoding="utf-8"), actor=None, today=date(2026, 11, 25)
    )
    kept = Application.objects.filter(decision_working_days__isnull=False)
    assert sorted(kept.values_list("decision_working_days", flat=True)) == [5, 10, 14, 20]
    assert licensing_stats(today=date(2026, 11, 25))["lead_time_counts"] == {
        5: 1,
        10: 1,
        14: 1,
        20: 1,
    }


def test_an_application_counts_once_per_element_its_items_name(decisions):
    """Decisions by element: an application whose items carry different control codes
    counts once for each element any of them names (Dy twice over counts once), one
    whose items name none counts under "none"; the grouped count equals the count item
    by item."""
    from reetrace.exportcontrol.models import Application, ApplicationItem

    first, second, third = Application.objects.filter(state__in=("approved", "rejected")).order_by(
        "pk"
    )[:3]
    item = first.items.get()
    for position, codes in ((2, ["1C904.a"]), (3, ["1C905.a", "1C904.a"])):
        ApplicationItem.objects.create(
            **{f: getattr(item, f) for f in ("product_code", "form", "composition", "kg")},
            **{f: getattr(item, f) for f in ("value", "currency", "lot")},
            application=first, position=position, control_codes=codes,
        )  # fmt: skip
    second.items.update(control_codes=[])
    by_item: dict[str, dict[str, int]] = {}
    from reetrace.exportcontrol.stats import _elements

    for application in Application.objects.filter(state__in=("approved", "rejected")):
        named = _elements([i.control_codes for i in application.items.all()]) or {"none"}
        for element in named:
            counts = by_item.setdefault(element, {"approved": 0, "rejected": 0})
            counts[application.state] += 1
    rows = {r["key"]: r for r in licensing_stats(today=date(2026, 11, 25))["by_element"]}
    assert {k: {"approved": r["approved"], "rejected": r["rejected"]} for k, r in rows.items()} == (
        by_item
    )
    assert rows["Tb"]["approved"] + rows["Tb"]["rejected"] == 1, "the first, once"
    assert rows["none"]["approved"] + rows["none"]["rejected"] == 1, "the second"
    assert third.items.get().control_codes and "Dy" in rows


def test_the_application_list_order_is_read_from_an_index(postgres_only, decisions):
    """The list pages applications newest first by keyset; an index on (created_at, id)
    serves that order, so a page reads its rows rather than sorting all applications."""
    from django.db import connection

    from reetrace.exportcontrol.models import Application

    page = Application.objects.order_by("-created_at", "-pk")[:51]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using exportcontr_created_8612a6_idx" in plan, plan
