"""API tokens: stored as digests, refused when revoked or expired, managed per user."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reetrace.accounts.models import ApiToken
from reetrace.accounts.tokens import (
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    token_authenticate,
    token_issue,
    token_revoke,
)
from reetrace.core.errors import ErrorCode, NotFound, ReetraceError


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def regulator(world):
    return world.users["regulator"]


def test_only_the_digest_is_stored(regulator):
    token, raw = token_issue(user=regulator, name="ci")
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["digest"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored["prefix"] == raw[:10]
    for column, value in stored.items():
        assert raw not in str(value), f"the raw token is stored in {column}"


def test_tokens_are_unique_and_random(regulator):
    raws = {token_issue(user=regulator, name=f"t{i}")[1] for i in range(20)}
    assert len(raws) == 20


def test_a_usable_token_authenticates_and_records_its_use(regulator):
    token, raw = token_issue(user=regulator, name="ci")
    assert token.last_used_at is None
    before = timezone.now()
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == regulator.username
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at >= before


def test_last_use_is_written_at_most_once_a_minute_so_reads_stay_reads(
    regulator, django_assert_num_queries
):
    token, raw = token_issue(user=regulator, name="ci")
    assert token_authenticate(raw) == regulator
    token.refresh_from_db()
    first = token.last_used_at
    with django_assert_num_queries(1):  # the lookup, no update
        assert token_authenticate(raw) == regulator
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - LAST_USED_RESOLUTION)
    assert token_authenticate(raw) == regulator
    token.refresh_from_db()
    assert token.last_used_at > first


def test_unknown_token_is_401(db):
    response = bearer("rt_not-a-token").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == ErrorCode.UNAUTHENTICATED


def test_no_credentials_is_401(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == ErrorCode.UNAUTHENTICATED


def test_revoked_token_is_401(regulator):
    token, raw = token_issue(user=regulator, name="ci")
    token_revoke(user=regulator, token_id=token.pk)
    assert token_authenticate(raw) is None
    assert bearer(raw).get("/api/v1/me").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None, "a refused token must not look used"


def test_expired_token_is_401(regulator):
    token, raw = token_issue(user=regulator, name="ci")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(raw) is None
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_token_of_a_deactivated_user_is_401(regulator):
    _, raw = token_issue(user=regulator, name="ci")
    regulator.is_active = False
    regulator.save(update_fields=["is_active"])
    assert bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("days", [0, -1, 367])
def test_lifetime_is_bounded(regulator, days):
    with pytest.raises(ReetraceError) as info:
        token_issue(user=regulator, name="ci", lifetime=timedelta(days=days))
    assert info.value.field == "days"


def test_token_expires_after_its_lifetime(regulator):
    token, _ = token_issue(user=regulator, name="ci", lifetime=timedelta(days=7))
    assert timedelta(days=7) - timedelta(minutes=1) < token.expires_at - timezone.now()
    assert token.expires_at - timezone.now() <= timedelta(days=7)


def test_users_revoke_only_their_own_tokens(world, regulator):
    other = world.users["auditor"]
    token, raw = token_issue(user=other, name="theirs")
    with pytest.raises(NotFound):
        token_revoke(user=regulator, token_id=token.pk)
    assert token_authenticate(raw) == other
    token_revoke(user=world.users["admin"], token_id=token.pk)
    assert token_authenticate(raw) is None


# -- the API --------------------------------------------------------------------------------


def test_me(world):
    body = world.client(world.miner).get("/api/v1/me").json()
    assert body["role"] == "enterprise"
    assert body["enterprise"] == world.miner.identifier
    assert "ledger:event:capture" in body["permissions"]
    partner = world.client("partner").get("/api/v1/me").json()
    assert partner["enterprise"] is None
    assert partner["permissions"] == [
        "accounts:token:manage",
        "exportcontrol:application:read",
        "exportcontrol:classification:run",
        "exportcontrol:stats:read",
        "reconciliation:comparison:read",
        "reconciliation:partner-data:load",
        "reconciliation:submission:upload",
        "registry:reference:read",
        "trace:export-summary:read",
    ]


def test_issue_list_and_revoke_through_the_api(world, regulator):
    client = world.client("regulator")
    issued = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "nightly", "days": 30}),
        content_type="application/json",
    )
    assert issued.status_code == 201, issued.content
    body = issued.json()
    raw = body["token"]
    assert raw.startswith(TOKEN_PREFIX)
    assert body["prefix"] == raw[:10]
    assert body["revoked_at"] is None
    assert not ApiToken.objects.filter(digest=raw).exists()

    assert bearer(raw).get("/api/v1/me").status_code == 200

    listed = client.get("/api/v1/tokens").json()
    assert "nightly" in [t["name"] for t in listed]
    for row in listed:
        assert "token" not in row and "digest" not in row
        assert raw not in json.dumps(row)
    assert len(listed) == ApiToken.objects.filter(user=regulator).count()

    revoked = client.delete(f"/api/v1/tokens/{body['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert bearer(raw).get("/api/v1/me").status_code == 401
    again = client.delete(f"/api/v1/tokens/{body['id']}")
    assert again.status_code == 200
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]


def test_token_list_shows_only_the_callers_tokens(world):
    token_issue(user=world.users["auditor"], name="auditor-secret-name")
    listed = world.client("regulator").get("/api/v1/tokens").json()
    assert "auditor-secret-name" not in [t["name"] for t in listed]


def test_revoking_someone_elses_token_is_404(world):
    token, raw = token_issue(user=world.users["auditor"], name="theirs")
    response = world.client("regulator").delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    assert token_authenticate(raw) is not None
    assert world.client("admin").delete(f"/api/v1/tokens/{token.pk}").status_code == 200
    assert token_authenticate(raw) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "days": 0}, "days"),
        ({"name": "x", "days": 400}, "days"),
    ],
)
def test_issue_shape_errors_are_422(world, body, field):
    response = world.client("regulator").post(
        "/api/v1/tokens", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_session_login_works_and_keeps_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["regulator"])
    assert client.get("/api/v1/me").status_code == 200
    response = client.post(
        "/api/v1/tokens", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert not ApiToken.objects.filter(name="x").exists()
