"""The EPCIS bench step: the same slice of the dataset through the own API, EPCIS
capture and the peer; the two reetrace ledgers must come out equal, and the peer
must store every event it was sent (or the run must say why it could not run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from reetrace.bench.report import report_rows
from reetrace.bench.steps.epcis import Document, documents_of
from reetrace.conf import CONFIG


def _event(event_id: str, reporter: str, kind: str, **fields) -> dict:
    return {"event_id": event_id, "reporter": reporter, "kind": kind} | fields


def test_documents_follow_every_dependency_between_reporters():
    events = [
        _event("1", "A", "mine", lot={"code": "L1"}),
        _event("2", "B", "mine", lot={"code": "L2"}),
        _event("3", "A", "ship", lot="L1"),
        _event("4", "B", "ship", lot="L2"),
        _event("5", "C", "receive", shipment="3"),
        _event("6", "A", "mine", lot={"code": "L3"}),
        _event("7", "C", "transform", inputs=[{"lot": "L1"}], outputs=[{"code": "L4"}]),
        _event("8", "A", "correct", corrects="6", action="void"),
        _event("9", "A", "mine", lot={"code": "L5"}),
    ]
    documents = documents_of(events)
    placed = [(d.wave, d.reporter, [e["event_id"] for e in d.events]) for d in documents]
    assert placed == [
        (0, "A", ["1", "3", "6"]),
        (0, "B", ["2", "4"]),
        (1, "C", ["5", "7"]),
        (1, "A", ["8"]),
        (2, "A", ["9"]),
    ]
    assert all(isinstance(d, Document) for d in documents)


def test_the_step_captures_a_slice_three_ways_on_tiny(tmp_path):
    # its own var and scratch database (other bench tests run beside it); the peer's
    # virtualenv shared with every run, as it is built once
    var = tmp_path / "var"
    (var / "bench").mkdir(parents=True)
    shared_venv = CONFIG.var_dir / "bench" / "peer-venv"
    shared_venv.mkdir(parents=True, exist_ok=True)
    (var / "bench" / "peer-venv").symlink_to(shared_venv)
    out = tmp_path / "bench.json"
    command = [sys.executable, "-m", "reetrace", "bench-run", "--out", str(out)]
    command += ["--scale", "tiny", "--seed", "1", "--end-month", "2025-12", "--steps", "epcis"]
    command += ["--lots", "1", "--api-batches", "1", "--clients", "2", "--duration", "1"]
    command += ["--levels", "1", "--epcis-events", "150"]
    env = os.environ | {
        "REETRACE_VAR_DIR": str(var),
        "REETRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}",
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    epcis = results["steps"]["epcis"]
    assert epcis["events"] == 150 and epcis["ledgers_equal"] is True
    assert epcis["documents"] >= epcis["reporters"] > 1
    assert epcis["api_events_per_s"] > 0 and epcis["epcis_events_per_s"] > 0
    assert epcis["epcis_in_process_events_per_s"] > 0
    # CPU seconds beside the wall clock: the server's workers, this process, the peer's
    assert epcis["api_server_cpu_seconds"] > 0 and epcis["epcis_server_cpu_seconds"] > 0
    assert 0 < epcis["epcis_in_process_cpu_seconds"] <= epcis["epcis_in_process_seconds"] * 1.05
    assert epcis["epcis_events"] >= epcis["events"]
    peer = epcis["peer"]
    if peer["ran"]:
        assert peer["events"] == epcis["epcis_events"] and peer["seconds"] > 0
        assert peer["cpu_seconds"] > 0 and epcis["peer_vs_epcis_in_process_cpu"] > 0
    else:
        # the offline case: no figure, but the reason, printed by the run
        assert peer["why"] and peer["why"] in done.stdout
    measures = [row[0] for row in report_rows(results)]
    assert "EPCIS 2.0 capture of 150 tiny events over HTTP, against the own API" in measures


def _reported(peer: dict) -> list[tuple]:
    epcis = {
        "scale": "medium",
        "events": 5000,
        "epcis_events_per_s": 60.0,
        "api_events_per_s": 80.0,
        "epcis_in_process_events_per_s": 90.0,
        "peer": peer,
    }
    return report_rows({"scale": "medium", "database": "sqlite", "steps": {"epcis": epcis}})


def test_the_report_puts_epcis_beside_the_api_and_the_peer():
    rows = _reported({"ran": True, "events_per_s": 120.0})
    assert (
        "EPCIS 2.0 capture of 5,000 medium events over HTTP, against the own API",
        "60 events/s",
        "80 events/s",
        "75.0%",
    ) in rows
    peer_row = next(row for row in rows if "quartet-epcis" in row[0])
    assert peer_row[1:] == ("90 events/s", "120 events/s", "75.0%")


def test_the_report_says_why_the_peer_did_not_run():
    rows = _reported({"ran": False, "why": "pip install quartet-epcis==4.1.5 failed (exit 1)"})
    peer_row = next(row for row in rows if "quartet-epcis" in row[0])
    assert peer_row[2] == "not run" and peer_row[3].startswith("pip install quartet-epcis")
