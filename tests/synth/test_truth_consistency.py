"""Truth and data agree: nothing the honest chain does looks like fraud by construction
(no shipment left unreceived at the year's end, every planned closing written, every
customs record where the ledger cites one), and every fraud leaves its trace."""

from __future__ import annotations

import csv
import json
from datetime import datetime

from tests.synth.conftest import read_events


def truth(directory) -> list[dict]:
    return json.loads((directory / "ground_truth.json").read_text("utf-8"))["cases"]


def rows(directory, name: str) -> list[dict]:
    with open(directory / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def live_shipments(events: list[dict]) -> dict[str, dict]:
    """Shipment event id -> shipment, replacements included, replaced ones left out."""
    ships = {e["event_id"]: e for e in events if e["kind"] == "ship"}
    for event in events:
        if event["kind"] == "correct" and event["corrects"] in ships:
            ships[event["event_id"]] = ships.pop(event["corrects"]) | event["replacement"]
    return ships


def test_every_shipment_is_received_unless_the_truth_says_otherwise(fraud_dir, honest_dir):
    for directory in (fraud_dir, honest_dir):
        events = read_events(directory)
        received = {e["shipment"] for e in events if e["kind"] == "receive"}
        unconfirmed = {
            c["events"][0] for c in truth(directory) if c["type"] == "unconfirmed_shipment"
        }
        missing = set(live_shipments(events)) - received
        assert missing == unconfirmed, directory.name


def test_last_day_shipments_arrive_within_the_year(honest_dir):
    events = read_events(honest_dir)
    received = {e["shipment"] for e in events if e["kind"] == "receive"}
    last_day = [
        s for s, e in live_shipments(events).items() if e["event_time"][:10] == "2025-12-31"
    ]
    assert last_day and set(last_day) <= received


def test_every_planned_closing_is_written_december_included(fraud_dir, honest_dir):
    for directory in (fraud_dir, honest_dir):
        cases = truth(directory)
        closings = {(r["enterprise"], r["period"]): r for r in rows(directory, "month_closings")}
        domestic = [r["identifier"] for r in rows(directory, "enterprises") if r["country"] == "CN"]
        missing = {(c["enterprise"], c["period"]) for c in cases if c["type"] == "missing_report"}
        late = {(c["enterprise"], c["period"]) for c in cases if c["type"] == "late_report"}
        for enterprise in domestic:
            for month in range(1, 13):
                key = (enterprise, f"2025-{month:02d}")
                assert (key in closings) == (key not in missing), key
        for key in late:
            closing = closings[key]
            closed = datetime.fromisoformat(closing["closed_at"]).date().isoformat()
            assert closed > closing["deadline"], key
        on_time = set(closings) - late
        assert all(
            datetime.fromisoformat(closings[k]["closed_at"]).date().isoformat()
            <= closings[k]["deadline"]
            for k in on_time
        )


def test_customs_records_match_the_ledger_except_where_fraud_says(fraud_dir, honest_dir):
    for directory in (fraud_dir, honest_dir):
        events = read_events(directory)
        customs = {r["declaration"]: r for r in rows(directory, "customs_declarations")}
        cases = truth(directory)
        laundered = {c["events"][0] for c in cases if c["type"] == "laundering_import"}
        diverted = {c["events"][0]: c for c in cases if c["type"] == "licence_mismatch"}
        for event in events:
            if event["kind"] == "import":
                record = customs.get(event["customs_declaration"])
                assert (record is None) == (event["event_id"] in laundered)
                if record:
                    assert record["flow"] == "import"
                    assert record["enterprise"] == event["reporter"]
                    assert record["kg"] == event["lot"]["mass"]
                    assert record["date"] == event["event_time"][:10]
            elif event["kind"] == "export":
                record = customs[event["customs_declaration"]]
                assert record["country"] == event["destination"]
                assert record["consignee"] == event["consignee"]
                case = diverted.get(event["event_id"])
                if case is None:
                    assert record["arrival_country"] == event["destination"]
                else:
                    assert record["arrival_country"] == case["details"]["actual_destination"]
                    assert record["arrival_country"] != event["destination"]
