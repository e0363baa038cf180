"""`reetrace bench` end to end on the tiny scale: every step runs and reports with units.

Not a timed test: it checks that the harness measures what it says, beside its
baselines, and writes the JSON that docs/performance.md is made from.
"""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from reetrace.bench.report import report_rows
from reetrace.synth.chain import Chain
from reetrace.synth.config import load_config
from reetrace.synth.window import REFERENCE_END_MONTH
from tests.cli.helpers import run, run_failing


def _generated_events(scale: str, seed: int) -> int:
    chain = Chain(load_config(scale), seed, REFERENCE_END_MONTH)
    return sum(1 for kind, _ in chain.records() if kind == "event")


def test_bench_runs_every_step_beside_its_baseline(tmp_path):
    out = tmp_path / "bench.json"
    run(
        "bench", "--scale", "tiny", "--seed", "3", "--lots", "5", "--api-batches", "1",
        "--clients", "1", "--duration", "1", "--levels", "1,2", "--json", str(out),
    )  # fmt: skip
    results = json.loads(out.read_text())
    steps = results["steps"]
    assert set(steps) == {"bulk", "raw", "rows", "api", "genealogy", "balance", "load"}
    generated = _generated_events("tiny", 3)
    assert steps["bulk"]["events"] == steps["raw"]["rows"] == generated
    assert steps["api"]["events"] == 1000
    assert steps["bulk"]["events_per_s"] > 0 and steps["raw"]["rows_per_s"] > 0
    # the ledger's own rows, written raw, are several per event
    assert steps["rows"]["events"] == generated
    assert steps["rows"]["rows"] > 3 * steps["rows"]["events"]
    assert steps["balance"]["ratio"] > 0
    for direction in ("up", "down"):
        assert steps["genealogy"][direction]["p99_ms"] >= steps["genealogy"][direction]["p50_ms"]
    for level in ("1", "2"):
        kinds = steps["load"]["levels"][level]
        assert set(kinds) == {"health", "me", "stock", "genealogy", "write"}, kinds
        assert all(k["errors"] == 0 for k in kinds.values()), kinds
        assert all(k["p99_ms"] >= k["p50_ms"] > 0 for k in kinds.values())
    rows = report_rows(results)
    # raw, the ledger's rows raw, bulk load and API (each against both), balance, per
    # direction the bounded trace and the whole closure, and per load level four kinds
    assert len(rows) == 11 + 2 * 4
    assert sum("against the ledger's rows raw" in measure for measure, *_ in rows) == 2
    assert sum("nearest 100 lots" in measure for measure, *_ in rows) == 2
    units = ("rows/s", "events/s", "ms", " s", "req/s")
    assert all(any(unit in figure for unit in units) for _, figure, _, _ in rows), rows


def test_unknown_step_is_refused_by_name():
    message, _ = run_failing("bench", "--steps", "load,teleport")
    assert "teleport" in message


def test_unknown_scale_is_refused():
    with pytest.raises(CommandError, match="huge"):
        run("bench", "--scale", "huge")
