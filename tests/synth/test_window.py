"""The twelve months a dataset covers end where asked: every date moves with the
window, annual quotas follow the calendar years it touches, and the truth still
describes the data."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from reetrace.synth.window import Window, last_complete_month, month_parse
from tests.cli.helpers import run, run_failing
from tests.synth.conftest import SHIFTED_END_MONTH, read_events


def _rows(directory, name: str) -> list[dict]:
    with open(directory / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _truth(directory) -> dict:
    return json.loads((directory / "ground_truth.json").read_text("utf-8"))


def test_a_window_is_the_twelve_months_ending_with_its_last():
    window = Window(date(2026, 11, 1))
    assert (window.first_day, window.last_day) == (date(2025, 12, 1), date(2026, 11, 30))
    assert window.days == 365 and window.years == [2025, 2026]
    assert (window.days_in(2025), window.days_in(2026), window.days_in(2027)) == (31, 334, 0)
    assert Window(date(2024, 2, 1)).days == 366  # 2023-03 to 2024-02, a leap February
    assert [m.month for m in Window(date(2025, 12, 1)).months] == list(range(1, 13))


def test_the_last_complete_month_is_read_in_china_time():
    # 17:00 UTC on 30 November is already 1 December in China
    assert last_complete_month(datetime(2026, 11, 30, 17, tzinfo=UTC)) == date(2026, 11, 1)
    assert last_complete_month(datetime(2026, 11, 30, 15, tzinfo=UTC)) == date(2026, 10, 1)
    assert last_complete_month(datetime(2026, 1, 5, tzinfo=UTC)) == date(2025, 12, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01"])
def test_a_month_that_is_not_yyyy_mm_is_refused(text):
    with pytest.raises(ValueError, match="not a month like 2026-11"):
        month_parse(text)


def test_every_event_and_closing_lies_in_the_shifted_window(shifted_dir):
    events = read_events(shifted_dir)
    months = Counter(e["event_time"][:7] for e in events)
    assert sorted(months) == [f"{m:%Y-%m}" for m in Window(SHIFTED_END_MONTH).months]
    truth = _truth(shifted_dir)
    assert truth["months"] == {"first": "2025-04", "last": "2026-03"}
    periods = {r["period"] for r in _rows(shifted_dir, "month_closings")}
    assert periods == set(months)
    assert {c["period"][:7] for c in truth["cases"] if c["type"] != "quota_overrun"} <= periods


def test_quotas_are_annual_and_each_event_cites_its_years(shifted_dir):
    quotas = {r["code"]: r for r in _rows(shifted_dir, "quotas")}
    per_holder = Counter((r["enterprise"], r["kind"]) for r in quotas.values())
    assert {r["year"] for r in quotas.values()} == {"2025", "2026"}
    assert set(per_holder.values()) == {2}, "one quota per holder, kind and year"
    assert all(code.startswith(f"Q{r['year']}-") for code, r in quotas.items())
    cited = [e for e in read_events(shifted_dir) if e.get("quota")]
    assert {e["kind"] for e in cited} == {"mine", "transform"}
    assert all(quotas[e["quota"]]["year"] == e["event_time"][:4] for e in cited)
    # each year's quota covers its share of the plan: nine months of 2025, three of 2026
    tonnes: dict[tuple, dict[str, float]] = {}
    for r in quotas.values():
        total = float(r["light_t"]) + float(r["medium_heavy_t"])
        tonnes.setdefault((r["enterprise"], r["kind"]), {})[r["year"]] = total
    assert all(t["2025"] > 2 * t["2026"] for t in tonnes.values()), tonnes


def test_the_shift_keeps_every_fraud_type_of_the_pinned_year(shifted_dir, fraud_dir):
    pinned, shifted = _truth(fraud_dir)["counts"], _truth(shifted_dir)["counts"]
    assert {t for t, n in pinned.items() if n} == {t for t, n in shifted.items() if n}
    overruns = [c for c in _truth(shifted_dir)["cases"] if c["type"] == "quota_overrun"]
    assert overruns and {c["period"] for c in overruns} <= {"2025", "2026"}


def test_generate_ends_with_the_last_complete_month_by_default(tmp_path, monkeypatch):
    from reetrace.synth.management.commands import generate

    now = datetime(2026, 4, 2, 3, tzinfo=UTC)
    monkeypatch.setattr(generate.timezone, "now", lambda: now)
    run("generate", "--scale", "tiny", "--seed", "2", "--out", str(tmp_path))
    assert _truth(tmp_path)["months"] == {"first": "2025-04", "last": "2026-03"}


@pytest.mark.parametrize(
    ("month", "where", "message"),
    [
        ("2026-13", "--out", "--end-month: '2026-13' is not a month like 2026-11"),
        ("1999-12", "--out", "--end-month 1999-12: the ledger accepts events from 2000-01 on"),
        ("2999-01", "--load", "the twelve months must have passed; the last complete month is"),
    ],
)
def test_generate_refuses_an_end_month_the_ledger_cannot_take(month, where, message, tmp_path):
    out = tmp_path / "data"
    target = ["--out", str(out)] if where == "--out" else ["--load"]
    error, _ = run_failing("generate", "--scale", "tiny", "--end-month", month, *target)
    assert message in error
    assert not out.exists()
