"""`reetrace close-month`: closing a finished month and printing what it declares."""

from __future__ import annotations

from datetime import date

from reetrace.reporting.models import MonthlyReport
from tests.cli.helpers import run, run_failing, table_rows
from tests.factories.world import mine_event, ship_event


def test_close_month_records_the_report_and_prints_its_totals(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "400", world.separator))
    out, _ = run("close-month", world.miner.identifier, "2025-01", "--as", "user-mining")
    report = MonthlyReport.objects.get(enterprise=world.miner)
    assert (report.period, report.closed_by.username, report.event_count) == (
        date(2025, 1, 1),
        "user-mining",
        2,
    )
    assert table_rows(out) == [
        ["stock", "origin", "100,000.000000"],
        ["stock", "shipped", "-400.000000"],
    ]
    assert "2 events (mine 1, ship 1)" in out


def test_close_month_refuses_a_second_close_and_bad_periods(world):
    run("close-month", world.miner.identifier, "2025-01")  # as the single administrator
    message, _ = run_failing("close-month", world.miner.identifier, "2025-01")
    assert message == "2025-01 is already closed"
    message, _ = run_failing("close-month", world.miner.identifier, "2025-13")
    assert message == "period '2025-13' must be a month like 2025-03"
    message, _ = run_failing("close-month", world.miner.identifier, "2099-01")
    assert "has not ended yet" in message
    assert MonthlyReport.objects.count() == 1


def test_close_month_for_another_enterprise_is_forbidden(world):
    message, _ = run_failing(
        "close-month", world.miner.identifier, "2025-01", "--as", "user-separation"
    )
    assert message == "you may close months only for your own enterprise"
    assert not MonthlyReport.objects.exists()
