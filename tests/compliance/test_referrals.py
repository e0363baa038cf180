"""Referrals from the trade reconciliation: a cell handed over as plain data becomes one
`trade_gap` alert per exporter and one case, idempotently, or a precise refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from reetrace.accounts.permissions import UserRole as R
from reetrace.compliance.models import Alert, Case, CaseStep
from reetrace.compliance.services.cases import case_close
from reetrace.compliance.services.referrals import (
    Declaration,
    GapCell,
    referral_open,
    severity_of,
)
from reetrace.core.errors import ReetraceError

PARTS = ("timing", "valuation", "transit", "classification", "units", "unexplained")


def gap_cell(world, *, unexplained: str = "300.000", declarations=None) -> GapCell:
    """Germany recorded 1,500 kg of magnets in March against our 1,000 kg: 200 kg are
    timing, the rest unexplained (300 kg unless told otherwise)."""
    unexplained_kg = Decimal(unexplained)
    parts_kg = dict.fromkeys(PARTS, Decimal(0)) | {"unexplained": unexplained_kg}
    parts_kg["timing"] = Decimal("500.000") - unexplained_kg
    parts_value = dict.fromkeys(PARTS, Decimal("0.00")) | {"valuation": Decimal("3000.00")}
    parts_value["unexplained"] = Decimal("22000.00")
    maker, separator = world.magnet_maker.identifier, world.separator.identifier
    return GapCell(
        key="dataset=1|hs6|country|850511|DE|2025-03",
        label="850511 to DE in 2025-03, against Comtrade (vintage 2025-06-01)",
        month=date(2025, 3, 1),
        ours_kg=Decimal("1000.000"),
        theirs_kg=Decimal("1500.000"),
        ours_value=Decimal("50000.00"),
        theirs_value=Decimal("75000.00"),
        currency="USD",
        parts_kg=parts_kg,
        parts_value=parts_value,
        parameters={"timing": {"lag_days": {"EU27": 35}}},
        source={"dataset": {"id": "1", "name": "Comtrade"}, "product": "850511"},
        declarations=(
            (
                Declaration("x-1", maker, "RT-LOT-1", Decimal("600")),
                Declaration("x-2", separator, "RT-LOT-2", Decimal("100")),
                Declaration("x-3", maker, "RT-LOT-1", Decimal("300")),
            )
            if declarations is None
            else declarations
        ),
    )


@pytest.mark.parametrize(
    ("share", "severity"),
    [("0", "info"), ("0.0499", "info"), ("0.05", "low"), ("0.2", "medium"), ("0.5", "high")],
)
def test_severity_follows_the_unexplained_share(share, severity):
    assert severity_of(Decimal(share)) == severity


def test_one_alert_per_exporter_and_one_case_assigned_to_the_analyst(world):
    analyst = world.users[R.REGULATOR]
    case, created = referral_open(actor=analyst, cell=gap_cell(world))
    assert created and case.assignee == analyst and case.opened_by == analyst
    assert case.title.startswith("Trade gap: 850511 to DE in 2025-03")
    alerts = {a.enterprise: a for a in case.alerts.all()}
    maker = alerts[world.magnet_maker]
    assert set(alerts) == {world.magnet_maker, world.separator}
    assert (maker.rule, maker.period, maker.status) == ("trade_gap", date(2025, 3, 1), "in_case")
    assert maker.events == ["x-1", "x-3"] and maker.lots == ["RT-LOT-1"]
    assert alerts[world.separator].events == ["x-2"]
    # 300 of 1,000 kg unexplained: medium
    assert {a.severity for a in alerts.values()} == {"medium"}
    figures = maker.figures
    assert (figures["expected"], figures["observed"], figures["unit"]) == (
        "1000.000",
        "1500.000",
        "kg",
    )
    assert figures["gap_kg"] == "500.000" and figures["unexplained_share"] == "0.3000"
    assert figures["parts_kg"]["timing"] == "200.000"
    assert figures["parts_value"]["valuation"] == "3000.00"
    assert (figures["gap_value"], figures["value_currency"]) == ("25000.00", "USD")
    assert (figures["exporter_kg"], figures["exporter_declarations"]) == ("900.000", 2)
    assert figures["parameters"] == {"timing": {"lag_days": {"EU27": 35}}}
    assert figures["cell"]["product"] == "850511"
    assert "recorded more than our declarations" in maker.explanation
    assert "Ningbo Magnets" in maker.explanation and "x-1, x-3" in maker.explanation
    journal = list(CaseStep.objects.filter(case=case).values_list("action", "actor"))
    assert journal == [("open", analyst.pk), ("alert", analyst.pk), ("alert", analyst.pk)] + [
        ("assign", analyst.pk)
    ]


def test_referring_again_adds_nothing_and_keeps_the_evidence(world):
    analyst = world.users[R.REGULATOR]
    first, _ = referral_open(actor=analyst, cell=gap_cell(world))
    revised = replace(gap_cell(world), theirs_kg=Decimal("9999"))
    again, created = referral_open(actor=world.users[R.ADMIN], cell=revised, title="other")
    assert not created and again == first and again.title == first.title
    assert Alert.objects.count() == 2 and Case.objects.count() == 1
    assert {a.figures["observed"] for a in Alert.objects.all()} == {"1500.000"}
    case_close(actor=analyst, case=first, outcome="timing after all")
    second, created = referral_open(actor=analyst, cell=gap_cell(world))
    assert created and second != first
    assert set(second.alerts.all()) == set(first.alerts.all())


def test_an_assignee_other_than_the_analyst(world):
    case, _ = referral_open(
        actor=world.users[R.ADMIN], cell=gap_cell(world), assignee=world.users[R.REGULATOR]
    )
    assert case.assignee == world.users[R.REGULATOR] and case.opened_by == world.users[R.ADMIN]


def test_a_fully_explained_cell_is_a_notice_that_says_so(world):
    case, _ = referral_open(
        actor=world.users[R.REGULATOR], cell=gap_cell(world, unexplained="0.000")
    )
    alert = case.alerts.first()
    assert alert.severity == "info"
    assert "the modelled causes account for the whole gap" in alert.explanation


@pytest.mark.parametrize(
    ("change", "status", "field", "words"),
    [
        ({"declarations": ()}, 409, "cell", "no export declaration of ours"),
        (
            {"declarations": (Declaration("x-9", "CN:GHOST", "RT-LOT-9", Decimal(1)),)},
            404,
            "exporter",
            "'CN:GHOST' does not exist",
        ),
    ],
)
def test_a_cell_that_cannot_be_referred_changes_nothing(world, change, status, field, words):
    with pytest.raises(ReetraceError) as refused:
        referral_open(actor=world.users[R.REGULATOR], cell=replace(gap_cell(world), **change))
    assert (refused.value.status, refused.value.field) == (status, field)
    assert words in refused.value.message
    assert not Alert.objects.exists() and not Case.objects.exists()


def test_a_long_title_is_refused(world):
    with pytest.raises(ReetraceError) as refused:
        referral_open(actor=world.users[R.REGULATOR], cell=gap_cell(world), title="x" * 201)
    assert refused.value.field == "title" and not Alert.objects.exists()


@pytest.mark.parametrize("role", [R.AUDITOR, R.CUSTOMS_OFFICER, R.PARTNER, R.ENTERPRISE])
def test_only_case_workers_refer(world, role):
    with pytest.raises(ReetraceError) as refused:
        referral_open(actor=world.users[role], cell=gap_cell(world))
    assert refused.value.status == 403
    assert not Alert.objects.exists() and not Case.objects.exists()
