"""Test set-up: which database (SQLite by default, PostgreSQL when
REETRACE_DATABASE_URL points at it), API clients per role, and the CI switches
that turn a skip for a missing PostgreSQL or Chromium into a failure."""

from __future__ import annotations

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories.chain import build_chain
from tests.factories.world import World, build_world

# Hypothesis checks properties, not speed: on a shared two-core machine (CI beside
# other jobs) a draw can take a second, and timing belongs to `reetrace bench`.
hypothesis_settings.register_profile(
    "reetrace", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("reetrace")


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_uploads(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def world(db) -> World:
    """A small registered chain: mine, separator, metal maker, magnet maker, exporter, buyer."""
    return build_world()


@pytest.fixture
def chain(world) -> World:
    """The world with the March 2025 mine-to-magnet chain captured (`build_chain`)."""
    build_chain(world)
    return world


@pytest.fixture
def postgres_only():
    """Skip on the SQLite run; `make test` runs the suite again on PostgreSQL, and with
    REETRACE_REQUIRE_POSTGRES=1 (CI) an unreachable PostgreSQL fails that run."""
    if not on_postgres():
        pytest.skip("PostgreSQL-only behaviour: covered by the PostgreSQL run of the suite")
