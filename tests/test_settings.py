"""Deployment defaults: SQLite in WAL mode under ./var, configuration errors fail fast."""

from __future__ import annotations

import pytest
from django.db.utils import ConnectionHandler

from reetrace import conf
from reetrace.settings import database_settings


def test_sqlite_file_runs_in_wal_mode(tmp_path, django_db_blocker):
    handler = ConnectionHandler(
        {"default": database_settings(f"sqlite:///{tmp_path / 'reetrace.sqlite3'}")}
    )
    sqlite = handler["default"]
    try:
        with django_db_blocker.unblock(), sqlite.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        sqlite.close()


def test_default_database_is_a_sqlite_file_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("REETRACE_DATABASE_URL", raising=False)
    monkeypatch.setenv("REETRACE_VAR_DIR", str(tmp_path))
    assert conf.load().database_url == f"sqlite:///{tmp_path / 'reetrace.sqlite3'}"


def test_production_without_secret_key_fails_fast(monkeypatch):
    monkeypatch.setenv("REETRACE_DEBUG", "0")
    monkeypatch.delenv("REETRACE_SECRET_KEY", raising=False)
    with pytest.raises(conf.ConfigurationError, match="REETRACE_SECRET_KEY"):
        conf.load()


def test_malformed_flag_is_named(monkeypatch):
    monkeypatch.setenv("REETRACE_DEBUG", "maybe")
    with pytest.raises(conf.ConfigurationError, match="REETRACE_DEBUG"):
        conf.load()


def test_postgres_keeps_the_url_options_and_adds_the_trace_settings():
    database = database_settings("postgres://u@db:5432/ledger?options=-c%20search_path%3Dreetrace")
    options = database["OPTIONS"]["options"]
    assert options.startswith("-c search_path=reetrace ")
    assert "-c jit=off" in options and "plan_cache_mode=force_generic_plan" in options
    assert database["OPTIONS"]["prepare_threshold"] == 5


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("REETRACE_PREPARED_STATEMENTS", "0")
    assert conf.load().prepared_statements is False
    database = database_settings("postgres://u@db:5432/ledger", prepared_statements=False)
    assert "options" not in database.get("OPTIONS", {})


@pytest.mark.parametrize("entry", ["reetrace.wsgi", "reetrace.asgi"])
def test_a_server_process_loads_the_urls_before_its_first_request(entry, tmp_path):
    """A worker imports the URL modules (and the API's schemas) when it loads the
    application, so its first request is as fast as the next."""
    import os
    import subprocess
    import sys

    probe = f"import sys, {entry}; print('reetrace.api' in sys.modules)"
    env = os.environ | {"REETRACE_VAR_DIR": str(tmp_path)}
    found = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "True"
