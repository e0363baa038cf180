"""Throw-away databases for one benchmark run, so figures never mix with real data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
from django.db import connections

BENCH_DATABASE = "reetrace_bench"


def _server(url: str) -> str:
    return url.rsplit("/", 1)[0]


def _is_sqlite(url: str) -> bool:
    return dj_database_url.parse(url)["ENGINE"].endswith("sqlite3")


def scratch_url(base_url: str, var_dir: Path, name: str = "bench") -> str:
    """Create (or empty) the bench database `name` next to `base_url` and return its URL:
    a SQLite file under var/bench, or the database `reetrace_<name>` on the same server."""
    if _is_sqlite(base_url):
        path = var_dir / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(f"{name}.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    database = BENCH_DATABASE if name == "bench" else f"reetrace_{name}"
    with psycopg.connect(f"{_server(base_url)}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return f"{_server(base_url)}/{database}"


def scratch_copy(source_url: str, var_dir: Path, name: str) -> str:
    """A copy of a prepared bench database under another name (nobody may be connected
    to the source): the SQLite file copied, or a PostgreSQL database made from it as a
    template."""
    if _is_sqlite(source_url):
        target = scratch_url(source_url, var_dir, name)
        shutil.copyfile(
            dj_database_url.parse(source_url)["NAME"], target.removeprefix("sqlite:///")
        )
        return target
    database = f"reetrace_{name}"
    source = dj_database_url.parse(source_url)["NAME"]
    with psycopg.connect(f"{_server(source_url)}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
    return f"{_server(source_url)}/{database}"


@contextmanager
def bound_to(url: str) -> Iterator[None]:
    """The ORM's default connection on another database of the same engine for the
    block (the bench's multi-database steps read and write each in turn)."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    target = dj_database_url.parse(url)
    connection.close()
    connection.settings_dict.update(
        {key: target[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in target}
    )
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
