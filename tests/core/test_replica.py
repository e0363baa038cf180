"""Reads on a real PostgreSQL streaming replica (core/routing.py).

The test builds its own primary and replica with this machine's PostgreSQL
binaries (initdb, pg_basebackup -R, streaming replication) in a temporary
directory on free ports, so the shared cluster's configuration is never touched
(its pg_hba.conf admits no replication connections). The servers run as the
`postgres` OS user (PostgreSQL refuses root). A scenario process then migrates,
captures on the primary and checks where the router sent each read
(`replica_scenario.py`). Skipped with the reason where impossible, unless
REETRACE_REQUIRE_REPLICA=1 (CI), which makes that a failure. It runs in the
PostgreSQL run of the suite only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import on_postgres

BIN = Path("/usr/lib/postgresql/15/bin")
REQUIRE = os.environ.get("REETRACE_REQUIRE_REPLICA") == "1"
ROOT = Path(__file__).resolve().parents[2]


def _unavailable() -> str | None:
    if not on_postgres():
        return "the replica test runs in the PostgreSQL run of the suite"
    if not (BIN / "initdb").exists():
        return f"PostgreSQL 15 server binaries not found in {BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as postgres"
    return None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, **kwargs)


def _start(data: Path, port: int, sockets: Path) -> None:
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(
        str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", f"{data}.log", "-w", "start"
    )


@pytest.fixture
def primary_and_replica():
    missing = _unavailable()
    if missing:
        if REQUIRE and on_postgres():
            pytest.fail(f"the replica test is required (REETRACE_REQUIRE_REPLICA=1): {missing}")
        pytest.skip(missing)
    # under /tmp itself: the postgres user cannot enter pytest's root-only temporary tree
    base = Path(tempfile.mkdtemp(prefix="reetrace-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    primary, replica, sockets = base / "primary", base / "replica", base
    ports = _port(), _port()
    _as_postgres(str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
    _start(primary, ports[0], sockets)
    try:
        _as_postgres(
            str(BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(ports[0]),
            "-U",
            "postgres",
            "reetrace",
        )
        _as_postgres(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(ports[0]),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        _start(replica, ports[1], sockets)
        yield ports
    finally:
        for data in (replica, primary):
            if (data / "postmaster.pid").exists():
                _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_heavy_reads_go_to_the_replica_and_own_writes_to_the_primary(primary_and_replica, tmp_path):
    primary, replica = primary_and_replica
    env = {
        **os.environ,
        "REETRACE_DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/reetrace",
        "REETRACE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica}/reetrace",
        "REETRACE_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        # statements as text, so the scenario can see which server ran the genealogy walk
        "REETRACE_PREPARED_STATEMENTS": "0",
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("replica_scenario.py"))],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines if line.startswith("OK")] == ["OK"] * 6, lines
