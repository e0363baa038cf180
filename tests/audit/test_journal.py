"""The audit journal: government reads, decisions, account changes and sign-ins are
recorded with who, when, what, from where and why; only the auditor reads the
journal; an enterprise sees which offices read its data, delayed while a case that
holds disclosure is open; an edit behind the application's back is found."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from reetrace.accounts.tokens import token_revoke
from reetrace.audit.choices import AuditAction as A
from reetrace.audit.journal import journal_verify
from reetrace.audit.models import AppendOnly, AuditEntry
from reetrace.compliance.models import Alert
from reetrace.compliance.services.cases import case_close, case_open
from tests.factories.world import mine_event

API = "/api/v1"
PASSWORD = "correct-horse-battery"


def _stock_read(world, role: str):
    miner = world.miner.identifier
    return world.client(role).get(f"{API}/enterprises/{miner}/stock")


def test_a_government_read_of_stock_is_journaled_and_the_enterprise_sees_the_office(world):
    world.capture(world.miner, mine_event(1))
    assert _stock_read(world, "regulator").status_code == 200
    (entry,) = AuditEntry.objects.filter(action=A.READ)
    assert entry.actor == "regulator-user" and entry.office == "rare-earth regulator"
    assert entry.enterprise == world.miner.identifier
    assert entry.via.startswith("token rt_") and entry.address == "127.0.0.1"
    assert "trace:stock:read" in entry.fields["permissions"]

    reads = world.client(world.miner).get(f"{API}/audit/government-reads").json()
    assert [(r["office"], r["reads"]) for r in reads] == [("rare-earth regulator", 1)]
    assert "regulator-user" not in str(reads)  # offices, not officers


def test_an_enterprise_reading_its_own_data_is_not_a_government_read(world):
    client = world.client(world.miner)
    assert client.get(f"{API}/enterprises/{world.miner.identifier}/stock").status_code == 200
    assert not AuditEntry.objects.filter(action=A.READ).exists()


def test_only_the_auditor_reads_the_journal(world):
    _stock_read(world, "regulator")
    for role in ("regulator", "admin", "licensing_officer", "customs_officer"):
        assert world.client(role).get(f"{API}/audit/entries").status_code == 403, role
    assert world.client(world.miner).get(f"{API}/audit/entries").status_code == 403
    entries = world.client("auditor").get(f"{API}/audit/entries?action=read").json()
    assert [e["actor"] for e in entries] == ["regulator-user"]


def test_the_auditor_downloads_the_journal_as_csv(world):
    _stock_read(world, "regulator")
    response = world.client("auditor").get(f"{API}/audit/entries?action=read&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Entry", "At", "Actor"] and rows[1][2] == "regulator-user"


def test_sign_ins_and_failures_are_journaled(world):
    user = world.user_for(world.miner)
    client = Client()
    client.post("/login/", {"username": user.username, "password": "wrong"})
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    actions = list(AuditEntry.objects.values_list("action", "object_id"))
    assert (A.SIGN_IN_FAILED, user.username) in actions and (A.SIGN_IN, user.username) in actions


def test_token_and_role_changes_are_journaled(world):
    analyst = world.users["regulator"]
    world.client("regulator")
    token = analyst.api_tokens.get()
    token_revoke(user=analyst, token_id=token.pk)
    analyst.role = "auditor"
    analyst.save()
    accounts = [e.fields for e in AuditEntry.objects.filter(action=A.ACCOUNT)]
    assert {"issued": token.prefix, "owner": analyst.username} in [
        {k: f[k] for k in ("issued", "owner")} for f in accounts if "issued" in f
    ]
    assert {"revoked": token.prefix, "owner": analyst.username} in accounts
    assert {"changed": {"role": {"from": "regulator", "to": "auditor"}}} in accounts


def test_alert_triage_is_journaled_with_its_reason(world):
    alert = _alert(world)
    response = world.client("regulator").post(
        f"{API}/compliance/alerts/{alert.pk}/dismiss",
        {"reason": "explained by a stock count"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(action=A.DECISION, object_type="alert").last()
    assert entry.reason == "explained by a stock count" and entry.actor == "regulator-user"
    assert entry.enterprise == world.miner.identifier


def _alert(world) -> Alert:
    return Alert.objects.create(
        rule="report_late",
        severity="low",
        enterprise=world.miner,
        period=date(2025, 1, 1),
        figures={"expected": "2025-02-10", "observed": "2025-02-20", "unit": "date"},
        explanation="closed late",
        fingerprint=f"audit-{Alert.objects.count()}",
    )


def test_an_open_case_holding_disclosure_delays_the_enterprises_view(world):
    regulator = world.users["regulator"]
    case = case_open(
        actor=regulator, title="smuggling", alerts=[_alert(world)], hold_disclosure=True
    )
    _stock_read(world, "regulator")
    view = world.client(world.miner)
    assert view.get(f"{API}/audit/government-reads").json() == []
    case_close(actor=regulator, case=case, outcome="no case to answer")
    assert view.get(f"{API}/audit/government-reads").json()[0]["reads"] == 1


def test_entries_cannot_be_changed_or_deleted_through_the_application(world):
    _stock_read(world, "regulator")
    entry = AuditEntry.objects.get(action=A.READ)
    entry.reason = "covered up"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="covered up")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize(
    "column, value", [("actor", "'someone-else'"), ("enterprise", "''"), ("at", "'2020-01-01'")]
)
def test_an_edit_behind_the_applications_back_is_found(world, column, value):
    _stock_read(world, "regulator")
    _stock_read(world, "licensing_officer")
    assert journal_verify()[1] is None
    target = AuditEntry.objects.get(action=A.READ, actor="regulator-user").pk
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET {column} = {value} WHERE id = %s", [target])
    _, broken = journal_verify()
    assert broken is not None and broken.entry == target
    with pytest.raises(CommandError, match=f"entry {target}"):
        call_command("audit", "verify")


def test_a_deleted_entry_is_found(world):
    _stock_read(world, "regulator")
    _stock_read(world, "licensing_officer")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry"
            " WHERE actor = 'licensing_officer-user' AND action = 'read'"
        )
    assert journal_verify()[1] is not None


def test_audit_verify_reports_an_intact_journal(world, capsys):
    _stock_read(world, "regulator")
    call_command("audit", "verify")
    assert "audit journal intact" in capsys.readouterr().out
