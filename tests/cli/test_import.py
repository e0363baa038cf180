"""`reetrace import`: files become events batch by batch, and bad input says where."""

from __future__ import annotations

import json
from decimal import Decimal

from reetrace.ledger.models import Event, Lot, Shipment
from tests.cli.helpers import run, run_failing, summary_value, write_csv, write_jsonl
from tests.factories.world import ORE_COMPOSITION, code, mine_event, ship_event

MINER = "user-mining"


def test_jsonl_import_creates_events(world, tmp_path):
    path = write_jsonl(
        tmp_path / "events.jsonl", [mine_event(1), ship_event("s1", 1, "400", world.separator)]
    )
    out, _ = run("import", str(path), "--as", MINER)
    assert summary_value(out, "created") == "2"
    assert summary_value(out, "rows") == "2"
    shipment = Shipment.objects.get(event__event_id="s1")
    assert (shipment.lot.code, shipment.kg, shipment.buyer) == (
        code(1),
        Decimal("400"),
        world.separator,
    )
    assert Event.objects.get(event_id="mine-1").submitted_by.username == MINER


def test_csv_with_json_cells_creates_events(world, tmp_path):
    lot = mine_event(1)["lot"]
    path = write_csv(
        tmp_path / "events.csv",
        ["event_id", "kind", "event_time", "quota", "lot", "reporter"],
        [["mine-1", "mine", mine_event(1)["event_time"], "Q-2025-MINING-1", json.dumps(lot), ""]],
    )
    out, _ = run("import", str(path), "--as", MINER)
    assert summary_value(out, "created") == "1"
    assert Lot.objects.get(code=code(1)).mass_kg == Decimal("100000")


def test_csv_with_flat_lot_columns_and_shorthand_composition(world, tmp_path):
    header = ["event_id", "kind", "event_time", "quota", "reporter"]
    header += ["lot.code", "lot.product", "lot.mass", "lot.composition"]
    time = mine_event(1)["event_time"]
    shorthand = "; ".join(f"{el}={v}" for el, v in ORE_COMPOSITION.items())
    rows = [
        ["mine-1", "mine", time, "Q-2025-MINING-1", world.miner.identifier]
        + [code(1), "ORE-BASTNAESITE", "2.5 t", shorthand],
        ["mine-2", "mine", time, "Q-2025-MINING-1", world.miner.identifier]
        + [code(2), "ORE-BASTNAESITE", "300", json.dumps({"Nd": "0.01"})],
    ]
    path = write_csv(tmp_path / "events.csv", header, rows)
    run("import", str(path))  # as the single administrator, with explicit reporters
    first = Lot.objects.get(code=code(1))
    assert first.mass_kg == Decimal("2500")
    assert first.composition() == {el: Decimal(v) for el, v in ORE_COMPOSITION.items()}
    assert Lot.objects.get(code=code(2)).composition() == {"Nd": Decimal("0.01")}
    assert Event.objects.get(event_id="mine-1").submitted_by.username == "admin-user"


def test_rejected_batch_names_line_and_field_and_saves_nothing_of_it(world, tmp_path):
    events = [mine_event(n) for n in range(1, 8)]
    events[5]["quota"] = "Q-NOPE"  # line 6: row 3 of the second batch (lines 4-6)
    path = write_jsonl(tmp_path / "events.jsonl", events)
    message, err = run_failing("import", str(path), "--as", MINER, "--batch-size", "3")
    assert "line 6 (event mine-6) field quota: quota 'Q-NOPE' does not exist" in err
    assert "lines 4-6 was rejected" in message
    assert "3 rows were committed" in message
    assert "resume from line 4" in message
    saved = set(Event.objects.values_list("event_id", flat=True))
    assert saved == {"mine-1", "mine-2", "mine-3"}


def test_csv_line_numbers_count_the_header_and_shape_errors_name_the_field(world, tmp_path):
    header = [
        "event_id",
        "kind",
        "event_time",
        "quota",
        "lot.product",
        "lot.mass",
        "lot.composition",
    ]
    time = mine_event(1)["event_time"]
    rows = [
        ["mine-1", "mine", time, "Q-2025-MINING-1", "ORE-BASTNAESITE", "100", "Nd=0.01"],
        ["mine-2", "mine", time, "Q-2025-MINING-1", "ORE-BASTNAESITE", "", "Nd=0.01"],
    ]
    path = write_csv(tmp_path / "events.csv", header, rows)
    message, err = run_failing("import", str(path), "--as", MINER)
    assert "line 3 (event mine-2) field lot.mass: Field required" in err
    assert "no rows were committed" in message
    assert not Event.objects.exists()


def test_reimport_of_the_same_file_replays_everything(world, tmp_path):
    events = [mine_event(1), mine_event(2), ship_event("s1", 1, "400", world.separator)]
    path = write_jsonl(tmp_path / "events.jsonl", events)
    run("import", str(path), "--as", MINER, "--batch-size", "2")
    before = Event.objects.count()
    out, _ = run("import", str(path), "--as", MINER, "--batch-size", "2")
    assert (summary_value(out, "created"), summary_value(out, "replayed")) == ("0", "3")
    assert Event.objects.count() == before == 3


def test_malformed_json_line_is_named_with_its_column(world, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(mine_event(1)) + '\n{"event_id": "mine-2",, "kind": "mine"}\n')
    message, _ = run_failing("import", str(path), "--as", MINER)
    assert message.startswith("line 2 column 23: malformed JSON")
    assert not Event.objects.exists()


def test_unknown_column_is_named(world, tmp_path):
    path = write_csv(
        tmp_path / "events.csv", ["event_id", "kind", "colour"], [["e", "mine", "red"]]
    )
    message, _ = run_failing("import", str(path), "--as", MINER)
    assert message.startswith("line 1 column 3 ('colour'): unknown column")


def test_dry_run_validates_and_saves_nothing(world, tmp_path):
    events = [mine_event(1), ship_event("s1", 1, "400", world.separator)]
    path = write_jsonl(tmp_path / "events.jsonl", events)
    out, _ = run("import", str(path), "--as", MINER, "--dry-run")
    assert summary_value(out, "created") == "2"
    assert "dry run" in out
    assert not Event.objects.exists()
    assert not Lot.objects.exists()
    bad = write_jsonl(
        tmp_path / "bad.jsonl", [*events, ship_event("s2", 1, "1e9", world.separator)]
    )
    _, err = run_failing("import", str(bad), "--as", MINER, "--dry-run")
    assert "line 3 (event s2) field mass:" in err
    assert not Event.objects.exists()


def test_acting_user_must_be_known_and_allowed(world, tmp_path):
    path = write_jsonl(tmp_path / "events.jsonl", [mine_event(1)])
    message, _ = run_failing("import", str(path), "--as", "nobody")
    assert message == "user 'nobody' does not exist"
    message, _ = run_failing("import", str(path), "--as", "regulator-user")
    assert "needs the permission ledger:event:capture" in message
    assert not Event.objects.exists()


def test_missing_file_and_unknown_format_are_clean_errors(world, tmp_path):
    message, _ = run_failing("import", str(tmp_path / "absent.jsonl"), "--as", MINER)
    assert message.startswith("cannot read") and "absent.jsonl" in message
    message, _ = run_failing("import", str(tmp_path / "events.txt"), "--as", MINER)
    assert "pass --format" in message
