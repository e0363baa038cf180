"""`reetrace token` and `reetrace user`: accounts and API tokens from a shell."""

from __future__ import annotations

from reetrace.accounts.models import ApiToken, User
from reetrace.accounts.tokens import token_authenticate
from tests.cli.helpers import run, run_failing, table_rows


def test_token_create_prints_a_working_secret_once(world):
    out, err = run("token", "create", "user-mining", "--name", "erp-sync", "--days", "30")
    secret = out.strip()
    assert token_authenticate(secret) == world.user_for(world.miner)
    token = ApiToken.objects.get(name="erp-sync")
    assert f"token #{token.pk} 'erp-sync' for user-mining" in err
    assert secret not in err
    assert (token.expires_at - token.created_at).days in (29, 30)


def test_token_revoke_stops_the_token(world):
    secret, _ = run("token", "create", "user-mining", "--name", "ci")
    token = ApiToken.objects.get(name="ci")
    out, _ = run("token", "revoke", str(token.pk))
    assert out.startswith(f"token #{token.pk} 'ci' of user-mining revoked on ")
    assert token_authenticate(secret.strip()) is None
    again, _ = run("token", "revoke", str(token.pk))
    assert "was already revoked" in again
    message, _ = run_failing("token", "revoke", "999999")
    assert message == "token '999999' does not exist"


def test_token_list_shows_state(world):
    run("token", "create", "user-mining", "--name", "kept")
    run("token", "create", "user-mining", "--name", "dropped")
    run("token", "revoke", str(ApiToken.objects.get(name="dropped").pk))
    out, _ = run("token", "list", "user-mining")
    assert [(row[1], row[-1]) for row in table_rows(out)] == [
        ("kept", "usable"),
        ("dropped", "revoked"),
    ]


def test_token_lifetime_and_user_are_checked(world):
    message, _ = run_failing("token", "create", "user-mining", "--name", "x", "--days", "400")
    assert message == "token lifetime must be between 1 day and 366 days"
    message, _ = run_failing("token", "create", "ghost", "--name", "x")
    assert message == "user 'ghost' does not exist"
    assert not ApiToken.objects.exists()


def test_user_create_for_an_enterprise_and_a_national_role(world):
    identifier = world.metal_maker.identifier
    out, _ = run("user", "create", "ops", "--role", "enterprise", "--enterprise", identifier)
    ops = User.objects.get(username="ops")
    assert (ops.role, ops.enterprise, ops.has_usable_password()) == (
        "enterprise",
        world.metal_maker,
        False,
    )
    assert "API tokens only" in out
    run("user", "create", "analyst", "--role", "regulator", "--password", "a-long-passphrase")
    assert User.objects.get(username="analyst").check_password("a-long-passphrase")


def test_user_create_refuses_inconsistent_input(world):
    message, _ = run_failing("user", "create", "ops", "--role", "enterprise")
    assert message == "an enterprise user needs --enterprise IDENTIFIER"
    message, _ = run_failing(
        "user", "create", "ops", "--role", "auditor", "--enterprise", world.miner.identifier
    )
    assert message == "--enterprise is only for enterprise users, not for role auditor"
    message, _ = run_failing("user", "create", "user-mining", "--role", "auditor")
    assert message.startswith("username: A user with that username already exists")
    message, _ = run_failing("user", "create", "ops", "--role", "auditor", "--password", "short")
    assert "too short" in message
    assert not User.objects.filter(username="ops").exists()
