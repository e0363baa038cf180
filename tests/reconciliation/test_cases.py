"""Opening a case from a reconciliation cell, through the API, the portal and the CLI:
one alert per exporter with the cell's figures, one case assigned to the analyst,
nothing duplicated when it is opened again, and clear refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.compliance.models import Alert, Case, CaseStep
from reetrace.registry.models import EnterpriseRoleGrant
from tests.factories.world import code
from tests.portal.conftest import signed_in
from tests.reconciliation.helpers import (
    SCENARIO,
    Shipment,
    comtrade_csv,
    export_magnets,
    injected_rows,
    load,
)

# A second exporter's January shipment to Germany that the partner never records:
# the cell 850511/DE/2025-01 is left with 250 kg unexplained.
UNRECORDED = Shipment(8, "DE", 1, 18, 250)
CELL = "850511/DE/2025-01"


@pytest.fixture
def gap(world):
    export_magnets(world, SCENARIO)
    EnterpriseRoleGrant.objects.create(enterprise=world.separator, role="exporter")
    export_magnets(world, [UNRECORDED], exporter=world.separator)
    return world, load(comtrade_csv(injected_rows()), name="Comtrade 2025")


def url(dataset, cell: str = CELL) -> str:
    return f"/api/v1/reconciliation/datasets/{dataset.pk}/cells/{cell}/case"


def post(client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def comparison_cell(world, dataset) -> dict:
    report = world.client("regulator").get(
        f"/api/v1/reconciliation/datasets/{dataset.pk}/comparison"
    )
    return next(
        c for c in report.json()["cells"] if (c["product"], c["country"], c["month"]) == (
            "850511", "DE", "2025-01",
        )
    )  # fmt: skip


def test_a_case_holds_one_alert_per_exporter_with_the_cells_figures(gap):
    world, dataset = gap
    response = post(world.client("regulator"), url(dataset))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] and body["assignee"] == "regulator-user"
    assert body["opened_by"] == "regulator-user" and body["status"] == "open"
    alerts = {a.enterprise.identifier: a for a in Alert.objects.filter(pk__in=body["alerts"])}
    maker, separator = world.magnet_maker.identifier, world.separator.identifier
    assert set(alerts) == {maker, separator}
    assert alerts[separator].events == [f"recon-x-{world.separator.pk}-8"]
    assert alerts[separator].lots == [code(7000 + 100 * world.separator.pk + 8)]
    assert len(alerts[maker].events) == 4 and len(alerts[maker].lots) == 4
    # the figures are the comparison's, to the digit, with every part and parameter
    shown = comparison_cell(world, dataset)
    figures = alerts[separator].figures
    assert (figures["expected"], figures["observed"]) == (shown["ours_kg"], shown["theirs_kg"])
    assert figures["unit"] == "kg" and figures["value_currency"] == "USD"
    assert figures["parts_kg"] == shown["parts_kg"]
    assert figures["parts_value"] == shown["parts_value"]
    assert figures["gap_kg"] == shown["gap_kg"] == "-1150.000"
    assert figures["unexplained_kg"] == "-250.000"
    assert figures["parameters"]["timing"]["lag_days"]["EU27"] == 35
    assert figures["cell"]["dataset"]["name"] == "Comtrade 2025"
    assert (figures["exporter_kg"], figures["exporter_declarations"]) == ("250.000", 1)
    assert sum(Decimal(v) for v in figures["parts_kg"].values()) == Decimal(figures["gap_kg"])
    # 250 of 2,150 kg unexplained: 11.6 %, a low-severity finding
    assert {a.severity for a in alerts.values()} == {"low"}
    assert figures["unexplained_share"] == "0.1163"
    assert "-250.000 kg" in alerts[separator].explanation
    assert all(a.rule == "trade_gap" and a.status == "in_case" for a in alerts.values())
    case = Case.objects.get(pk=body["id"])
    steps = list(CaseStep.objects.filter(case=case).values_list("action", "actor__username"))
    assert steps[0] == ("open", "regulator-user") and steps[-1] == ("assign", "regulator-user")
    assert [a for a, _ in steps].count("alert") == 2


def test_opening_twice_returns_the_open_case_and_adds_nothing(gap):
    world, dataset = gap
    client = world.client("regulator")
    first = post(client, url(dataset)).json()
    again = post(world.client("admin"), url(dataset), {"title": "another title"})
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert not again.json()["created"]
    assert Alert.objects.filter(rule="trade_gap").count() == 2 and Case.objects.count() == 1
    # once closed, the same cell opens a new case from the same alerts
    close = post(client, f"/api/v1/compliance/cases/{first['id']}/close", {"outcome": "lag"})
    assert close.status_code == 200, close.content
    reopened = post(client, url(dataset), {"title": "second look"})
    assert reopened.status_code == 201 and reopened.json()["title"] == "second look"
    assert sorted(reopened.json()["alerts"]) == sorted(first["alerts"])
    assert Alert.objects.filter(rule="trade_gap").count() == 2


def test_assign_to_another_analyst(gap):
    world, dataset = gap
    response = post(world.client("admin"), url(dataset), {"assignee": "regulator-user"})
    assert response.status_code == 201
    assert response.json()["assignee"] == "regulator-user"
    assert response.json()["opened_by"] == "admin-user"


@pytest.mark.parametrize("role", [R.AUDITOR, R.CUSTOMS_OFFICER, R.LICENSING_OFFICER, R.PARTNER])
def test_roles_that_do_not_work_cases_are_refused(gap, role):
    world, dataset = gap
    response = post(world.client(role), url(dataset))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Alert.objects.exists() and not Case.objects.exists()


def test_enterprise_users_are_refused(gap):
    world, dataset = gap
    assert post(world.client(world.magnet_maker), url(dataset)).status_code == 403


@pytest.mark.parametrize(
    ("cell", "body", "status", "field", "words"),
    [
        # the partner's 720299 imports have no declaration of ours behind them
        ("720299/DE/2025-01", {}, 409, "cell", "no export declaration of ours"),
        ("850511/FR/2025-01", {}, 404, "cell", "'850511/FR/2025-01' does not exist"),
        ("850511/DE/2025-13", {}, 400, "cell_month", "must be a month"),
        (CELL, {"assignee": "nobody"}, 404, "assignee", "'nobody' does not exist"),
        (CELL, {"assignee": "auditor-user"}, 400, "assignee", "may not work compliance cases"),
        (CELL, {"by": "cn8"}, 422, None, ""),
        (CELL, {"title": "x" * 201}, 422, None, ""),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(gap, cell, body, status, field, words):
    world, dataset = gap
    response = post(world.client("regulator"), url(dataset, cell), body)
    assert response.status_code == status, response.content
    error = response.json()
    assert words in error["message"]
    if field:
        assert error["errors"][0]["field"] == field
    assert not Alert.objects.exists() and not Case.objects.exists()


def test_an_unknown_dataset_is_not_found(gap):
    world, dataset = gap
    response = post(
        world.client("regulator"), f"/api/v1/reconciliation/datasets/999/cells/{CELL}/case"
    )
    assert response.status_code == 404


def test_a_dismissed_alert_must_be_triaged_again(gap):
    world, dataset = gap
    client = world.client("regulator")
    case = post(client, url(dataset)).json()
    post(client, f"/api/v1/compliance/cases/{case['id']}/close", {"outcome": "explained"})
    alert = Alert.objects.get(enterprise=world.separator)
    # a closed case's alert goes back to triage before it can be dismissed
    post(client, f"/api/v1/compliance/alerts/{alert.pk}/triage", {"reason": "again"})
    dismissed = post(client, f"/api/v1/compliance/alerts/{alert.pk}/dismiss", {"reason": "lag"})
    assert dismissed.status_code == 200, dismissed.content
    response = post(client, url(dataset))
    assert response.status_code == 409
    assert f"alert {alert.pk}" in response.json()["message"]
    assert "dismissed (lag)" in response.json()["message"]
    assert Case.objects.count() == 1


# -- the portal -------------------------------------------------------------------------


def page_url(name: str, dataset) -> str:
    return reverse(f"reconciliation:{name}", args=[dataset.pk, "850511", "DE", "2025-01"])


def test_the_cell_page_opens_a_case_and_goes_to_it(gap):
    world, dataset = gap
    client = signed_in(world.users[R.REGULATOR])
    page = client.get(page_url("cell", dataset)).content.decode()
    assert 'id="cell-case"' in page and "csrfmiddlewaretoken" in page
    response = client.post(page_url("cell-case", dataset), {"title": "Germany, January"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("compliance:case", args=[case.pk])
    assert case.title == "Germany, January" and case.assignee == world.users[R.REGULATOR]
    assert Alert.objects.filter(rule="trade_gap").count() == 2
    again = client.post(page_url("cell-case", dataset))
    assert again["Location"] == response["Location"] and Case.objects.count() == 1


def test_the_portal_refuses_other_roles_and_cells_without_declarations(gap):
    world, dataset = gap
    customs = signed_in(world.users[R.CUSTOMS_OFFICER])
    assert 'id="cell-case"' not in customs.get(page_url("cell", dataset)).content.decode()
    assert customs.post(page_url("cell-case", dataset)).status_code == 403
    regulator = signed_in(world.users[R.REGULATOR])
    assert regulator.get(page_url("cell-case", dataset)).status_code == 405
    empty = reverse("reconciliation:cell-case", args=[dataset.pk, "720299", "DE", "2025-01"])
    refused = regulator.post(empty)
    assert refused.status_code == 409
    assert "no export declaration of ours" in refused.content.decode()
    bad_month = reverse("reconciliation:cell-case", args=[dataset.pk, "850511", "DE", "2025-xx"])
    assert regulator.post(bad_month).status_code == 404
    assert regulator.get(bad_month.removesuffix("case")).status_code == 404
    assert not Alert.objects.exists() and not Case.objects.exists()


# -- the command line -------------------------------------------------------------------


def test_the_command_opens_the_same_case(gap, tmp_path):
    world, dataset = gap
    path = tmp_path / "partner.csv"
    path.write_text(comtrade_csv(injected_rows()))
    args = ["reconcile", "--partner", str(path), "--format", "comtrade"]
    args += ["--vintage", "2025-06-01", "--open-case", CELL, "--analyst", "regulator-user"]
    out = StringIO()
    call_command(*args, stdout=out)
    case = Case.objects.get()
    assert out.getvalue().startswith(f"case {case.pk} opened: Trade gap: 850511 to DE in 2025-01")
    assert Alert.objects.filter(rule="trade_gap").count() == 2
    api = post(world.client("regulator"), url(dataset))
    assert api.status_code == 200 and api.json()["id"] == case.pk
    with pytest.raises(CommandError, match="needs --analyst"):
        call_command(*args[:-2])
    with pytest.raises(CommandError, match="leave out --from"):
        call_command(*args, "--from", "2025-01")
    with pytest.raises(CommandError, match="may not work compliance cases"):
        call_command(*args[:-1], "auditor-user")
