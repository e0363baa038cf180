"""kill -9 of `reetrace import` mid-file, and of the server while clients post:
every committed batch is whole, the chain verifies, and sending everything again
completes by replaying what was saved.

The import runs in a process of its own against a database file of its own, so the
test can kill it while it writes, as an operator's crash or the OOM killer would.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from reetrace.bench.server import free_port

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 3000
BATCH = 100
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories.world import build_world
build_world()
"""
TOKEN = """
import django
django.setup()
from reetrace.accounts.models import User
from reetrace.accounts.tokens import token_issue
print(token_issue(user=User.objects.get(username="user-mining"), name="crash")[1])
"""


def _env(tmp_path: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reetrace.settings",
        "REETRACE_VAR_DIR": str(tmp_path),
        "REETRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }


def _events_file(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.factories.world import mine_event

    path = tmp_path / "events.jsonl"
    with path.open("w") as out:
        for n in range(1, EVENTS + 1):
            out.write(json.dumps(mine_event(n, kg="10")) + "\n")
    return path


def _stored(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "crash.sqlite3", timeout=30) as db:
        return db.execute("SELECT count(*) FROM ledger_event").fetchone()[0]


def _reetrace(tmp_path: Path, *args: str, **kwargs):
    command = [sys.executable, "-m", "reetrace", *args]
    return subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, **kwargs)


def test_kill_9_of_an_import_mid_file_leaves_whole_batches_and_a_rerun_completes(tmp_path):
    subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), check=True, cwd=ROOT)
    path = _events_file(tmp_path)
    command = [sys.executable, "-m", "reetrace", "import", str(path), "--as", "user-mining",
               "--batch-size", str(BATCH)]  # fmt: skip
    load = subprocess.Popen(command, env=_env(tmp_path), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while _stored(tmp_path) < 3 * BATCH and time.monotonic() < deadline:
        time.sleep(0.05)
    load.send_signal(signal.SIGKILL)
    load.wait()
    saved = _stored(tmp_path)
    assert load.returncode == -signal.SIGKILL
    assert 0 < saved < EVENTS, "the import was to be killed mid-file"
    assert saved % BATCH == 0, f"{saved} events stored: a batch was saved in part"
    assert _reetrace(tmp_path, "verify_chain", cwd=ROOT).returncode == 0

    rerun = _reetrace(tmp_path, *command[3:], cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    assert _stored(tmp_path) == EVENTS
    assert re.search(rf"replayed\W+{saved}\b", rerun.stdout.replace(",", "")), rerun.stdout
    verified = _reetrace(tmp_path, "verify_chain", cwd=ROOT)
    assert verified.returncode == 0
    assert f"{EVENTS} events verified" in verified.stdout.replace(",", "")


def _server(tmp_path: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "reetrace", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, env=_env(tmp_path), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(600):  # up to 30 s on a loaded machine
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError("the server did not start")


def _post(port: int, token: str, batch: list[dict]) -> dict | None:
    """The answer to one batch, or None when the connection died with the server (also
    in the middle of the answer, which then is not JSON)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/events",
        data=json.dumps({"events": batch}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except (OSError, http.client.HTTPException, ValueError):
        return None


def test_kill_9_of_the_server_while_clients_post_loses_no_batch_in_part(tmp_path):
    import threading

    from tests.factories.world import mine_event

    subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), check=True, cwd=ROOT)
    token = subprocess.run([sys.executable, "-c", TOKEN], env=_env(tmp_path), cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    batches = [[mine_event(n, kg="10") for n in range(b * BATCH + 1, (b + 1) * BATCH + 1)]
               for b in range(EVENTS // BATCH)]  # fmt: skip
    port = free_port()
    server = _server(tmp_path, port)
    answered: list[dict | None] = []

    def send(mine: list[list[dict]]) -> None:
        for batch in mine:
            answered.append(_post(port, token, batch))

    clients = [threading.Thread(target=send, args=(batches[i::2],)) for i in range(2)]
    for client in clients:
        client.start()
    while _stored(tmp_path) < 3 * BATCH:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)
    server.wait()
    for client in clients:
        client.join()
    saved = _stored(tmp_path)
    assert None in answered, "the server was to be killed while clients posted"
    assert 0 < saved < EVENTS and saved % BATCH == 0, f"{saved} events: a batch saved in part"
    assert _reetrace(tmp_path, "verify_chain", cwd=ROOT).returncode == 0

    server = _server(tmp_path, port)
    try:
        again = [_post(port, token, batch) for batch in batches]
    finally:
        server.kill()
        server.wait()
    assert all(a is not None for a in again)
    assert sum(a["replayed"] for a in again) == saved
    assert _stored(tmp_path) == EVENTS
    assert _reetrace(tmp_path, "verify_chain", cwd=ROOT).returncode == 0
