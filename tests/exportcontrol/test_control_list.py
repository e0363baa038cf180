"""The control-list loader: the shipped files load, bad files fail loudly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import reetrace.exportcontrol as app
from reetrace.exportcontrol.control_list import ControlListError, control_list, control_list_load

SHIPPED = Path(app.__file__).parent / "controllist"


def test_the_shipped_list_has_the_four_announcements_and_marks_unconfirmed_items():
    listing = control_list()
    assert [a.number for a in listing.announcements] == [
        "2025 No. 18",
        "2025 No. 57",
        "2025 No. 61",
        "2025 No. 70",
    ]
    assert listing.entry("1C905.x").status == "UNCONFIRMED"
    assert listing.entry("1C902.a").status == "confirmed"
    assert all(e.threshold_status == "UNCONFIRMED" for _, e in listing.entries())
    (no61,) = [a for a in listing.announcements if a.number == "2025 No. 61"]
    assert no61.scope == "extraterritorial"
    assert no61.rules[0]["value_share_pct"] == "0.1"


def _copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    shutil.copytree(SHIPPED, tmp_path / "list")
    path = tmp_path / "list" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return tmp_path / "list"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('elements = ["Dy"]', 'elements = ["Xx"]', "unknown or no element"),
        ('forms = ["oxide"]', 'forms = ["powder"]', "['powder'] not in"),
        ('"2805301200"', '"28053012"', "not 10-digit codes"),
        ('threshold_wt_pct = "0.1"', 'threshold_wt_pct = "0"', "percentage above 0"),
        ('\nstatus = "UNCONFIRMED"', '\nstatus = "maybe"', "must be one of"),
        ('code = "1C905.b"', 'code = "1C905.a"', "used twice"),
    ],
)
def test_bad_entries_are_refused_with_file_and_field(tmp_path, old, new, message):
    directory = _copy(tmp_path, "2025-18.toml", old, new)
    with pytest.raises(ControlListError, match="2025-18.toml|1C905") as exc:
        control_list_load(directory)
    assert message in exc.value.message


def test_a_suspension_ending_before_it_starts_is_refused(tmp_path):
    directory = _copy(tmp_path, "2025-70.toml", "until = 2026-11-10", "until = 2025-01-01")
    with pytest.raises(ControlListError, match="is before from"):
        control_list_load(directory)


def test_invalid_toml_is_refused(tmp_path):
    directory = _copy(tmp_path, "2025-57.toml", "[announcement]", "[announcement")
    with pytest.raises(ControlListError, match="not valid TOML"):
        control_list_load(directory)


def test_the_list_must_say_how_current_it_is(tmp_path):
    assert control_list().data_as_of.isoformat() == "2025-12-18"
    directory = _copy(tmp_path, "_list.toml", "data_as_of = 2025-12-18", "checked = 2025-12-18")
    with pytest.raises(ControlListError, match=r"_list.toml\[list\].data_as_of"):
        control_list_load(directory)
    (directory / "_list.toml").unlink()
    with pytest.raises(ControlListError, match="must say how current it is"):
        control_list_load(directory)
