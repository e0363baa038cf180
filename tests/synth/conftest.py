"""Tiny synthetic datasets, generated once per session (pure: no database)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reetrace.synth.config import honest_overrides
from reetrace.synth.dataset import produce


def read_events(directory: Path) -> list[dict]:
    with open(directory / "events.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="session")
def fraud_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-fraud")
    produce(scale="tiny", seed=7, out=out)
    return out


@pytest.fixture(scope="session")
def honest_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-honest")
    produce(scale="tiny", seed=7, out=out, overrides=honest_overrides())
    return out


# A window across two calendar years, after the export controls of April 2025.
SHIFTED_END_MONTH = date(2026, 3, 1)


@pytest.fixture(scope="session")
def shifted_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-shifted")
    produce(scale="tiny", seed=7, end_month=SHIFTED_END_MONTH, out=out)
    return out
