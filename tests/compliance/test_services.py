"""Detection runs, idempotence, reports, alert triage, cases and risk (service level)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from reetrace.compliance.choices import AlertStatus, CaseStatus, RunStatus
from reetrace.compliance.models import Alert, AlertStatusChange, CaseStep
from reetrace.compliance.selectors import alerts_visible, risk_ranking
from reetrace.compliance.services.alerts import alert_dismiss, alert_share, alert_triage
from reetrace.compliance.services.cases import (
    case_assign,
    case_attach,
    case_close,
    case_note,
    case_open,
)
from reetrace.compliance.services.detection import detect
from reetrace.core.errors import Forbidden, ReetraceError
from reetrace.reporting.models import MonthlyReport
from tests.compliance.helpers import ore_at_separator, run, separation, when
from tests.factories.world import mine_event, ship_event

pytestmark = pytest.mark.django_db


def _report(world, enterprise, period: date, *, late: bool) -> MonthlyReport:
    deadline = date(period.year, period.month + 1, 10)
    return MonthlyReport.objects.create(
        enterprise=enterprise,
        period=period,
        closed_at=when(period.month + 1, 25 if late else 5),
        closed_by=world.user_for(enterprise),
        deadline=deadline,
        is_late=late,
        event_count=0,
        totals={},
    )


def test_a_second_run_over_unchanged_data_adds_nothing(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    first = run(world)
    count = Alert.objects.count()
    second = run(world)
    assert first.status == second.status == RunStatus.DONE
    assert count > 0 and Alert.objects.count() == count
    assert all(c["new"] == 0 for c in second.counts.values())
    # incremental: no event since the first run, so no month is judged again
    assert second.counts["yield_out_of_range"] == {"found": 0, "new": 0}
    assert second.periods["yield_out_of_range"] == []
    full = run(world, full=True)
    assert full.counts["yield_out_of_range"] == {"found": 1, "new": 1 - 1}
    assert Alert.objects.count() == count


def test_a_run_after_new_events_adds_only_the_new_findings(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    run(world, "yield_out_of_range")
    world.capture(world.miner, mine_event(2))
    world.capture(world.miner, ship_event("s2", 2, "40000", world.separator, month=2))
    again = run(world, "yield_out_of_range", "shipment_unconfirmed")
    assert again.counts == {
        "yield_out_of_range": {"found": 1, "new": 0},
        "shipment_unconfirmed": {"found": 1, "new": 1},
    }


def test_a_window_limits_the_months_looked_at(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    run(world, "shipment_unconfirmed", start=date(2025, 2, 1), end=date(2025, 3, 1))
    assert not Alert.objects.exists()


def test_unknown_rule_is_refused(world):
    with pytest.raises(ReetraceError) as refused:
        detect(rules=["no_such_rule"])
    assert refused.value.field == "rules"


def test_late_and_missing_reports_are_shared_with_the_enterprise(world):
    world.capture(world.miner, mine_event(1), mine_event(2, month=3))
    _report(world, world.miner, date(2025, 1, 1), late=True)
    _report(world, world.miner, date(2025, 2, 1), late=False)
    run(world, "report_late", "report_missing", as_of=when(4, 11))
    late = Alert.objects.get(rule="report_late")
    assert late.enterprise == world.miner and late.period == date(2025, 1, 1)
    assert late.figures["days_late"] == 15 and late.shared_with_enterprise
    missing = Alert.objects.filter(rule="report_missing", enterprise=world.miner)
    assert [a.period for a in missing] == [date(2025, 3, 1)]


def test_a_month_before_its_deadline_is_not_missing(world):
    world.capture(world.miner, mine_event(1))
    run(world, "report_missing", as_of=when(2, 10))
    assert not Alert.objects.exists()


def test_months_after_the_newest_event_are_not_owed(world):
    world.capture(world.miner, mine_event(1))
    run(world, "report_missing", as_of=when(6, 1))
    assert list(Alert.objects.values_list("period", flat=True)) == [date(2025, 1, 1)]


def _one_alert(world) -> Alert:
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    run(world, "yield_out_of_range")
    return Alert.objects.get()


def test_dismissal_needs_a_reason_and_keeps_the_alert_with_its_history(world):
    alert = _one_alert(world)
    regulator = world.users["regulator"]
    with pytest.raises(ReetraceError):
        alert_dismiss(actor=regulator, alert=alert, reason="  ")
    alert_triage(actor=regulator, alert=alert, reason="looks real")
    alert_dismiss(actor=regulator, alert=alert, reason="plant was flooded, inspected")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    steps = list(
        AlertStatusChange.objects.filter(alert=alert).values_list("from_status", "to_status")
    )
    assert steps == [("new", "triaged"), ("triaged", "dismissed")]
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_enterprise_user_sees_only_shared_alerts_of_its_own_enterprise(world):
    alert = _one_alert(world)
    own_user = world.user_for(world.separator)
    other_user = world.user_for(world.miner)
    assert not alerts_visible(actor=own_user).exists()
    alert_share(actor=world.users["regulator"], alert=alert)
    assert list(alerts_visible(actor=own_user)) == [alert]
    assert not alerts_visible(actor=other_user).exists()
    with pytest.raises(Forbidden):
        risk_ranking(actor=own_user)


def test_case_from_open_to_close_records_every_step(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    alert = _one_alert(world)
    regulator, admin = world.users["regulator"], world.users["admin"]
    case = case_open(actor=regulator, title="Baotou yields", alerts=[alert])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.IN_CASE
    case_assign(actor=regulator, case=case, assignee=admin)
    case_note(actor=admin, case=case, text="asked for the plant's loss records")
    attachment = case_attach(actor=admin, case=case, name="records.pdf", content=b"%PDF-1.4 x")
    assert attachment.size == 10 and len(attachment.sha256) == 64
    assert (tmp_path / attachment.file.name).read_bytes() == b"%PDF-1.4 x"
    case_close(actor=admin, case=case, outcome="fined; quota cut")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at <= timezone.now()
    steps = list(CaseStep.objects.filter(case=case).values_list("action", "actor__username"))
    assert steps == [
        ("open", "regulator-user"),
        ("alert", "regulator-user"),
        ("assign", "regulator-user"),
        ("note", "admin-user"),
        ("attach", "admin-user"),
        ("close", "admin-user"),
    ]
    with pytest.raises(ReetraceError):
        case_note(actor=admin, case=case, text="too late")


def test_risk_ranks_by_weighted_alerts_and_ignores_dismissed_ones(world):
    alert = _one_alert(world)
    regulator = world.users["regulator"]
    [top] = risk_ranking(actor=regulator)
    assert top["enterprise"] == world.separator.identifier
    assert top["score"] == 9 * 3  # high (9) x yield_out_of_range (3)
    alert_dismiss(actor=regulator, alert=alert, reason="explained")
    assert risk_ranking(actor=regulator) == []
