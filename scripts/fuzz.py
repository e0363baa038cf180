"""`make fuzz`: schemathesis against a live reetrace server on the demo data, once per role.

Each role sees a different API (an enterprise its own lots, the auditor the journal,
the admin everything), so the fuzzer runs with a token of every demo role in turn.
The server runs as in production (gunicorn, DEBUG off) on a database of its own, made
for the run, so the fuzzer's writes touch nothing else. The one operation left out is
`tokens_revoke`: the fuzzer would revoke its own token and test nothing afterwards.

Exit status 0 only if no role's pass found a failure of the chosen checks.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reetrace.bench.server import served

ROLE_LOGINS = {
    "enterprise": "demo-separator",
    "exporter": "demo-magnets",
    "regulator": "demo-regulator",
    "licensing officer": "demo-licensing",
    "customs officer": "demo-customs",
    "auditor": "demo-auditor",
    "admin": "demo-admin",
    "partner": "demo-partner",
}
EXCLUDED_OPERATIONS = {"tokens_revoke": "would revoke the fuzzer's own token"}
ALL_CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
BIN = Path(sys.executable).parent
console = Console()


def main() -> int:
    options = _arguments()
    work = Path(tempfile.mkdtemp(prefix="reetrace-fuzz-"))
    env = os.environ | {"REETRACE_VAR_DIR": str(work), "REETRACE_SECRET_KEY": "fuzz-only-secret"}
    if options.database:
        env["REETRACE_DATABASE_URL"] = _fresh_database(options.database)
    with console.status(f"loading the {options.scale} demo data into {work} …"):
        _reetrace(env, "migrate", "--no-input", "-v0")
        _reetrace(env, "demo", "--scale", options.scale)
        _reetrace(env, "detect")
    tokens = {
        role: _reetrace(env, "token", "create", username, "--name", "fuzz").strip()
        for role, username in ROLE_LOGINS.items()
    }
    with (work / "server.log").open("w") as log, served(env=env, log=log) as server:
        results = [
            _fuzz_role(role, token, server.url, options, work) for role, token in tokens.items()
        ]
    return _summary(results, options, work)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--scale", default="tiny", help="demo dataset scale")
    parser.add_argument("--examples", type=int, default=30, help="examples per operation")
    parser.add_argument("--max-time", type=int, default=120, help="seconds per role")
    parser.add_argument("--checks", default=ALL_CHECKS)
    parser.add_argument("--seed", type=int, help="fixed seed for a repeatable run")
    return parser.parse_args()


def _fresh_database(server_url: str) -> str:
    """A new, empty database on that server, so a run never sees another's rows."""
    import psycopg

    base = server_url.rsplit("/", 1)[0]
    name = "reetrace_fuzz"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def _reetrace(env: dict, *arguments: str) -> str:
    done = subprocess.run(
        [str(BIN / "reetrace"), *arguments], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        console.print(done.stdout, done.stderr)
        raise SystemExit(f"reetrace {' '.join(arguments)} failed (exit {done.returncode})")
    return done.stdout


def _fuzz_role(role: str, token: str, url: str, options, work: Path) -> tuple[str, int, Path]:
    report = work / f"fuzz-{role.replace(' ', '-')}.xml"
    command = [
        str(BIN / "st"),
        "run",
        f"{url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        options.checks,
        "--max-examples",
        str(options.examples),
        "--max-time",
        str(options.max_time),
        "--workers",
        "1",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    for operation in EXCLUDED_OPERATIONS:
        command += ["--exclude-operation-id", operation]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    console.rule(f"fuzzing as {role} ({ROLE_LOGINS[role]})")
    return role, subprocess.run(command).returncode, report


def _summary(results: list[tuple[str, int, Path]], options, work: Path) -> int:
    table = Table(title=f"schemathesis, {options.examples} examples per operation")
    for column in ("role", "login", "result", "JUnit report"):
        table.add_column(column)
    for role, status, report in results:
        verdict = "[green]passed" if status == 0 else f"[red]failed (exit {status})"
        table.add_row(role, ROLE_LOGINS[role], verdict, str(report))
    console.print(table)
    for operation, reason in EXCLUDED_OPERATIONS.items():
        console.print(f"Not fuzzed: {operation}, which {reason}.")
    console.print(f"Checks: {options.checks}. Server data and logs: {work}")
    return 0 if all(status == 0 for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
