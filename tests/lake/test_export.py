"""The lake: a full export, an incremental one after a correction, and verification."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from reetrace.lake.export import lake_export
from reetrace.lake.manifest import manifest_read
from reetrace.lake.storage import LakeLocationError, lake_open
from reetrace.lake.verify import lake_verify
from reetrace.ledger.models import ChainHead, Event, MonthlyFlow, Posting
from tests.factories.world import at, code

pytestmark = pytest.mark.django_db


def _table(lake, manifest, name):
    import pyarrow as pa

    parts = manifest.tables[name].values()
    tables = []
    for part in parts:
        with lake.fs.open_input_file(lake.path(part.file)) as handle:
            tables.append(pq.read_table(handle))
    return pa.concat_tables(tables)


def test_first_export_holds_every_row_as_stored(chain, tmp_path):
    lake = lake_open(str(tmp_path / "lake"), create=True)
    result = lake_export(lake)
    manifest = manifest_read(lake)
    head = ChainHead.objects.get(pk=1)
    assert (manifest.chain.position, manifest.chain.head_hash) == (head.length, head.last_hash)
    assert result.months == ["2025-03"]
    postings = _table(lake, manifest, "postings")
    assert postings.num_rows == Posting.objects.count()
    stored = dict(Posting.objects.values_list("pk", "kg"))
    # integer milligrams as stored, not kg
    assert {r["id"]: r["kg"] for r in postings.to_pylist()} == {
        pk: int(kg * 1_000_000) for pk, kg in stored.items()
    }
    flows = _table(lake, manifest, "monthly_flows")
    assert sum(flows["metal_ug"].to_pylist()) == sum(
        MonthlyFlow.objects.values_list("metal_ug", flat=True)
    )
    assert _table(lake, manifest, "events").num_rows == Event.objects.count()
    assert lake_verify(lake).ok


def test_second_export_rewrites_only_changed_months_with_corrections(chain, tmp_path):
    lake = lake_open(str(tmp_path / "lake"), create=True)
    lake_export(lake)
    first = manifest_read(lake)
    may_lot = {
        "code": code(120),
        "product": "ORE-BASTNAESITE",
        "mass": "50",
        "composition": {"Nd": "0.008"},
    }
    chain.capture(
        chain.miner,
        {
            "event_id": "m-may",
            "kind": "mine",
            "quota": "Q-2025-MINING-1",
            "event_time": at(5, 1),
            "lot": may_lot,
        },
    )
    # a May correction of a March shipment: its reversal is dated in March
    chain.capture(
        chain.magnet_maker,
        {
            "event_id": "c-use",
            "kind": "correct",
            "event_time": at(5, 6),
            "corrects": "s-use",
            "action": "replace",
            "reason": "weighed again",
            "replacement": {"mass": "150"},
        },
    )
    result = lake_export(lake)
    second = manifest_read(lake)
    assert result.months == ["2025-03", "2025-05"]
    assert second.export == 2 and second.chain.position == first.chain.position + 2
    march = second.tables["postings"]["2025-03"]
    assert march.file.endswith("part-000002.parquet")
    assert march.rows == Posting.objects.filter(period="2025-03-01").count()
    assert not lake.exists(first.tables["postings"]["2025-03"].file)  # replaced, then removed
    corrections = _table(lake, second, "corrections")
    assert corrections.num_rows == 1
    assert lake_verify(lake).ok
    assert lake_export(lake).months == []


def test_verify_names_a_changed_file_and_a_foreign_ledger(chain, tmp_path):
    lake = lake_open(str(tmp_path / "lake"), create=True)
    lake_export(lake)
    manifest = manifest_read(lake)
    part = manifest.tables["lots"]["2025-03"]
    path = tmp_path / "lake" / part.file
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    verdict = lake_verify(lake)
    assert not verdict.ok
    assert verdict.problems == [
        f"lots 2025-03 ({part.file}): the content changed (SHA-256 differs from the manifest)"
    ]
    body = json.loads((tmp_path / "lake" / "manifest.json").read_text())
    body["chain"]["head_hash"] = "f" * 64
    (tmp_path / "lake" / "manifest.json").write_text(json.dumps(body))
    problems = lake_verify(lake).problems
    assert any("does not carry the head hash" in p for p in problems)
    assert any("not a copy of this ledger" in p for p in problems)


def test_export_refuses_a_lake_of_another_ledger(chain, tmp_path):
    lake = lake_open(str(tmp_path / "lake"), create=True)
    lake_export(lake)
    body = json.loads((tmp_path / "lake" / "manifest.json").read_text())
    body["chain"]["head_hash"] = "0" * 64
    (tmp_path / "lake" / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(CommandError, match="does not contain: export to a new location"):
        call_command("lake", "export", "--out", str(tmp_path / "lake"))


def test_command_exports_and_verifies(chain, tmp_path, capsys):
    out = str(tmp_path / "lake")
    call_command("lake", "export", "--out", out, "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["months"] == ["2025-03"] and printed["rows"] > 0
    call_command("lake", "verify", out)
    assert "lake verified" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("lake", "verify", str(tmp_path))


def test_bad_locations_are_refused(tmp_path):
    with pytest.raises(LakeLocationError, match="NUL"):
        lake_open("lake\x00")
    with pytest.raises(CommandError, match="nosuchscheme"):
        call_command("lake", "export", "--out", "nosuchscheme://bucket/lake")
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(CommandError, match="no readable lake manifest"):
        call_command("lake", "export", "--out", str(tmp_path))


def test_engine_options_are_checked_before_any_engine_starts(tmp_path, capsys):
    with pytest.raises(CommandError, match="the spark engine reads a lake: give --lake PATH"):
        call_command("detect", "--engine", "spark")
    with pytest.raises(CommandError, match="--lake is read by another engine only"):
        call_command("balance", "--lake", str(tmp_path))
    with pytest.raises(CommandError, match="no lake at"):
        call_command("balance", "--engine", "spark", "--lake", str(tmp_path / "none"))
    with pytest.raises(SystemExit):
        call_command("detect", "--engine", "spark", "--help")
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal
    assert "not ported to spark:" in shown and "price_below_value" in shown
