"""Accounts hardening: security headers, sign-in throttling, the password policy, and
`check --deploy` clean for the production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from reetrace.accounts.models import SignInFailure

PASSWORD = "correct-horse-battery"


def _sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_pages_carry_the_security_headers(world):
    response = Client().get("/login/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_sign_in_is_throttled_after_five_failures_for_a_user_name(world):
    user = world.user_for(world.miner)
    client = Client()
    for _ in range(5):
        assert _sign_in(client, user.username, "wrong").status_code == 200
    refused = _sign_in(client, user.username, PASSWORD)
    assert refused.status_code == 200  # the form again, not a redirect
    assert "too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_user_names_failures(world):
    user = world.user_for(world.miner)
    client = Client()
    for _ in range(3):
        _sign_in(client, user.username, "wrong")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert not SignInFailure.objects.filter(username=user.username).exists()


def test_one_address_is_throttled_across_user_names(world, settings):
    settings.REETRACE_SIGNIN_MAX_FAILURES_PER_ADDRESS = 3
    client = Client()
    for n in range(3):
        _sign_in(client, f"nobody-{n}", "wrong")
    refused = _sign_in(client, world.user_for(world.miner).username, PASSWORD)
    assert "from this address" in refused.content.decode()


@pytest.mark.parametrize("weak", ["12345678901234", "password1234", "short"])
def test_the_password_policy_refuses_weak_passwords(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    env = {
        **os.environ,
        "REETRACE_DEBUG": "0",
        "REETRACE_TLS": "1",
        "REETRACE_SECRET_KEY": secrets.token_urlsafe(50),
        "REETRACE_VAR_DIR": str(tmp_path),
        "REETRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "reetrace", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_admin_sign_in_is_throttled_too(world):
    admin = world.users["admin"]
    admin.is_staff = True
    admin.save()
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    refused = client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    assert "too many failed sign-ins" in refused.content.decode()
