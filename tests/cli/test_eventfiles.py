"""Event-file parsing on its own (the portal's upload page will reuse it without a command)."""

from __future__ import annotations

from io import BytesIO

import pytest

from reetrace.ledger.eventfiles import EventFileError, events_read


def parsed(data: bytes, fmt: str) -> list[tuple[int, dict]]:
    return list(events_read(BytesIO(data), fmt))


def failure(data: bytes, fmt: str) -> EventFileError:
    with pytest.raises(EventFileError) as info:
        parsed(data, fmt)
    return info.value


def test_csv_rows_keep_their_physical_line_numbers():
    data = '\ufeffevent_id,kind,note\ne1,adjust,\n\n"e2",adjust,"two\nlines"\ne3,adjust,x\n'
    rows = parsed(data.encode(), "csv")
    assert [(line, row["event_id"]) for line, row in rows] == [(2, "e1"), (4, "e2"), (6, "e3")]
    assert rows[0][1] == {"event_id": "e1", "kind": "adjust"}  # the empty cell is absent
    assert rows[1][1]["note"] == "two\nlines"


def test_jsonl_skips_blank_lines_and_refuses_non_objects():
    assert [line for line, _ in parsed(b'{"a": 1}\n\n{"b": 2}\n', "jsonl")] == [1, 3]
    error = failure(b'{"a": 1}\n[1, 2]\n', "jsonl")
    assert (error.line, error.message) == (
        2,
        "line 2: each line must be one JSON object, not a list",
    )


def test_bytes_that_are_not_utf8_are_located():
    error = failure(b'{"a": 1}\n{"b": "caf\xe9"}\n', "jsonl")
    assert error.message.startswith("line 2 column 11: not UTF-8 text (byte 0xe9)")


def test_csv_cell_problems_name_the_column():
    error = failure(b"event_id,lot.composition\ne1,Nd:0.2\n", "csv")
    assert error.message.startswith("line 2 column lot.composition: 'Nd:0.2' is not element=")
    error = failure(b'event_id,lot,lot.mass\ne1,"{""product"": ""X""}",5\n', "csv")
    assert "either as JSON in column 'lot' or in lot.* columns" in error.message
    error = failure(b"event_id,inputs\ne1,[{\n", "csv")
    assert error.message.startswith("line 2 column inputs: malformed JSON")
    error = failure(b"event_id,kind\ne1,mine,extra\n", "csv")
    assert error.message == "line 2 column 3: row has 3 cells but the header names 2 columns"


def test_csv_header_must_be_present_and_unique():
    assert failure(b"", "csv").message.startswith("line 1: the file is empty")
    error = failure(b"event_id,kind,kind\n", "csv")
    assert error.message == "line 1 column 3 ('kind'): column appears twice"


def test_a_bare_lot_code_in_the_lot_column_names_the_lot():
    from reetrace.ledger.eventfiles import csv_row_event

    event = csv_row_event(
        ["event_id", "kind", "lot", "mass"], ["s1", "ship", "RT000000000001X", "5"], 2
    )
    assert event["lot"] == "RT000000000001X"
    made = csv_row_event(
        ["event_id", "kind", "lot"], ["m1", "mine", '{"product": "ORE-BASTNAESITE"}'], 3
    )
    assert made["lot"] == {"product": "ORE-BASTNAESITE"}
