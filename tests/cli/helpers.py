"""Running a command as a person would, with its two streams kept apart."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    """The CommandError's message and what was printed to stderr before it."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=out, stderr=err)
    return str(info.value), err.getvalue()


def write_jsonl(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def table_rows(output: str) -> list[list[str]]:
    """The body rows of the Rich tables in `output`, as stripped cell texts."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.strip().startswith("│")
    ]


def summary_value(output: str, name: str) -> str:
    """The value on the import summary's row `name`."""
    found = [row[1] for row in table_rows(output) if len(row) == 2 and row[0] == name]
    assert len(found) == 1, f"no single summary row {name!r} in:\n{output}"
    return found[0]
