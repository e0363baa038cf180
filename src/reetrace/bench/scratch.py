"""A throw-away database for one benchmark run, so figures never mix with real data."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import psycopg

BENCH_DATABASE = "reetrace_bench"


def scratch_url(base_url: str, var_dir: Path) -> str:
    """Create (or empty) the bench database next to `base_url` and return its URL."""
    parsed = dj_database_url.parse(base_url)
    if parsed["ENGINE"].endswith("sqlite3"):
        path = var_dir / "bench" / "bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    server = base_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return f"{server}/{BENCH_DATABASE}"
