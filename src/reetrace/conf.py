"""Typed reader of the REETRACE_* environment, read once at start-up.

Every setting a deployment may change lives here with its default, so that
.env.example, the README's configuration table and the code cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("REETRACE_HOME", Path.cwd()))
# GS1's EPCIS 2.0 JSON schema is GS1's document, kept beside the checkout (not in it):
# by default the standards folder next to the project, as on the development machines.
EPCIS_SCHEMA_DEFAULT = (
    Path(__file__).resolve().parents[3] / "shared/standards/gs1-epcis-2.0/EPCIS-JSON-Schema.json"
)


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed; the process must not start."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from exc


def _date(name: str, default: date) -> date:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    var_dir: Path
    report_deadline_day: int
    clock_skew_seconds: int
    prepared_statements: bool
    checkpoint_key: Path
    tls: bool
    event_time_floor: date
    spark_master: str
    replica_url: str
    replica_pin_seconds: int
    epcis_schema: Path
    epcis_webhook_private_ok: bool


def load() -> Config:
    var_dir = Path(os.environ.get("REETRACE_VAR_DIR", PROJECT_ROOT / "var"))
    debug = _flag("REETRACE_DEBUG", True)
    secret_key = os.environ.get("REETRACE_SECRET_KEY", "")
    if not secret_key:
        if not debug:
            raise ConfigurationError("REETRACE_SECRET_KEY must be set when REETRACE_DEBUG is off")
        secret_key = "insecure-development-key-change-me"
    hosts = os.environ.get("REETRACE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    deadline_day = _int("REETRACE_REPORT_DEADLINE_DAY", 10)
    if not 1 <= deadline_day <= 28:
        raise ConfigurationError("REETRACE_REPORT_DEADLINE_DAY must be between 1 and 28")
    return Config(
        database_url=os.environ.get(
            "REETRACE_DATABASE_URL", f"sqlite:///{var_dir / 'reetrace.sqlite3'}"
        ),
        secret_key=secret_key,
        debug=debug,
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        var_dir=var_dir,
        report_deadline_day=deadline_day,
        clock_skew_seconds=_int("REETRACE_CLOCK_SKEW_SECONDS", 300),
        prepared_statements=_flag("REETRACE_PREPARED_STATEMENTS", True),
        tls=_flag("REETRACE_TLS", False),
        checkpoint_key=Path(
            os.environ.get("REETRACE_CHECKPOINT_KEY", var_dir / "checkpoint-key.pem")
        ),
        event_time_floor=_date("REETRACE_EVENT_TIME_FLOOR", date(2000, 1, 1)),
        spark_master=os.environ.get("REETRACE_SPARK_MASTER", "local[2]"),
        replica_url=os.environ.get("REETRACE_REPLICA_URL", ""),
        replica_pin_seconds=_int("REETRACE_REPLICA_PIN_SECONDS", 10),
        epcis_schema=Path(os.environ.get("REETRACE_EPCIS_SCHEMA", EPCIS_SCHEMA_DEFAULT)),
        epcis_webhook_private_ok=_flag("REETRACE_EPCIS_WEBHOOK_PRIVATE_OK", False),
    )


CONFIG = load()
