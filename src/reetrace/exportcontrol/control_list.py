"""The dual-use control list as versioned data: one TOML file per announcement.

The rules change by announcement (No. 18 in force, No. 57 added five elements,
No. 70 suspended it for a year), so the list is data with legal sources and
effective periods, never constants in code. The loader refuses a malformed file
with the file, entry and field named: a silently skipped entry would let a
controlled item through.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.registry.elements import ELEMENTS

__all__ = [
    "CONTROL_FORMS",
    "Announcement",
    "ControlList",
    "ControlListError",
    "Entry",
    "Suspension",
    "control_list",
    "control_list_load",
]

# The forms an entry may name: the registry's product forms that the list
# covers, plus sputtering targets (which the catalogue has no product for).
CONTROL_FORMS = frozenset(
    {"metal", "alloy", "target", "oxide", "mixed_compound", "sintered_ndfeb", "bonded_ndfeb"}
    | {"smco"}
)
SCOPES = frozenset({"domestic", "extraterritorial"})
STATUSES = frozenset({"confirmed", "UNCONFIRMED"})


class ControlListError(ReetraceError):
    """A control-list file is malformed; the system must not start with it."""

    status = 500

    def __init__(self, where: str, message: str):
        super().__init__(ErrorCode.INVALID, f"control list {where}: {message}", field=where)


@dataclass(frozen=True)
class Entry:
    code: str
    elements: tuple[str, ...]
    forms: frozenset[str]
    text: str
    customs_codes: tuple[str, ...]
    threshold_wt_pct: Decimal
    threshold_status: str
    status: str
    announcement: str
    note: str = ""

    @property
    def threshold_fraction(self) -> Decimal:
        return self.threshold_wt_pct / 100


@dataclass(frozen=True)
class Suspension:
    announcements: frozenset[str]
    start: date
    until: date
    by: str
    status: str

    def covers(self, number: str, on: date) -> bool:
        return number in self.announcements and self.start <= on <= self.until


@dataclass(frozen=True)
class Announcement:
    number: str
    authority: str
    title: str
    issued: date
    effective_from: date
    scope: str
    sources: tuple[str, ...]
    entries: tuple[Entry, ...] = ()
    rules: tuple[dict, ...] = ()
    suspensions: tuple[Suspension, ...] = ()

    def in_effect(self, on: date) -> bool:
        return on >= self.effective_from


@dataclass(frozen=True)
class ControlList:
    announcements: tuple[Announcement, ...]
    suspensions: tuple[Suspension, ...] = field(default=())
    # the newest publication the files were checked against (controllist/_list.toml)
    data_as_of: date | None = None

    def suspensions_of(self, number: str) -> list[Suspension]:
        return [s for s in self.suspensions if number in s.announcements]

    def suspension_of(self, number: str, on: date) -> Suspension | None:
        return next((s for s in self.suspensions if s.covers(number, on)), None)

    def entries(self) -> list[tuple[Announcement, Entry]]:
        return [(a, e) for a in self.announcements for e in a.entries]

    def entry(self, code: str) -> Entry | None:
        return next((e for _, e in self.entries() if e.code == code), None)


def _require(table: dict, key: str, kind: type, where: str):
    value = table.get(key)
    if value is None:
        raise ControlListError(f"{where}.{key}", "is missing")
    if not isinstance(value, kind):
        raise ControlListError(f"{where}.{key}", f"must be a {kind.__name__}, not {value!r}")
    return value


def _decimal(raw: object, where: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ControlListError(where, f"{raw!r} is not a number") from exc
    if not Decimal(0) < value <= Decimal(100):
        raise ControlListError(where, f"{value} must be a percentage above 0 and at most 100")
    return value


def _status(table: dict, key: str, where: str) -> str:
    value = _require(table, key, str, where)
    if value not in STATUSES:
        raise ControlListError(f"{where}.{key}", f"must be one of {sorted(STATUSES)}")
    return value


def _entry(raw: dict, defaults: dict, number: str, where: str) -> Entry:
    elements = tuple(_require(raw, "elements", list, where))
    unknown = [e for e in elements if e not in ELEMENTS]
    if not elements or unknown:
        raise ControlListError(f"{where}.elements", f"unknown or no element symbols {unknown}")
    forms = frozenset(_require(raw, "forms", list, where))
    if not forms or forms - CONTROL_FORMS:
        raise ControlListError(
            f"{where}.forms", f"{sorted(forms - CONTROL_FORMS)} not in {sorted(CONTROL_FORMS)}"
        )
    codes = tuple(_require(raw, "customs_codes", list, where))
    bad = [c for c in codes if not (isinstance(c, str) and c.isdigit() and len(c) == 10)]
    if bad:
        raise ControlListError(f"{where}.customs_codes", f"{bad} are not 10-digit codes")
    merged = defaults | raw
    return Entry(
        code=_require(raw, "code", str, where),
        elements=elements,
        forms=forms,
        text=_require(raw, "text", str, where),
        customs_codes=codes,
        threshold_wt_pct=_decimal(
            _require(merged, "threshold_wt_pct", str, where), f"{where}.threshold_wt_pct"
        ),
        threshold_status=_status(merged, "threshold_status", where),
        status=_status(raw, "status", where),
        announcement=number,
        note=raw.get("note", ""),
    )


def _suspension(raw: dict, number: str, where: str) -> Suspension:
    start = _require(raw, "from", date, where)
    until = _require(raw, "until", date, where)
    if until < start:
        raise ControlListError(f"{where}.until", f"{until} is before from {start}")
    if not raw.get("until_inclusive", False):
        until = date.fromordinal(until.toordinal() - 1)
    targets = _require(raw, "announcements", list, where)
    return Suspension(frozenset(targets), start, until, number, _status(raw, "status", where))


def _announcement(path_name: str, data: dict) -> Announcement:
    head = _require(data, "announcement", dict, path_name)
    where = f"{path_name}[announcement]"
    number = _require(head, "number", str, where)
    scope = _require(head, "scope", str, where)
    if scope not in SCOPES:
        raise ControlListError(f"{where}.scope", f"must be one of {sorted(SCOPES)}")
    defaults = data.get("defaults", {})
    entries = tuple(
        _entry(raw, defaults, number, f"{path_name}[entries][{n}]")
        for n, raw in enumerate(data.get("entries", []))
    )
    suspensions = tuple(
        _suspension(raw, number, f"{path_name}[suspensions][{n}]")
        for n, raw in enumerate(data.get("suspensions", []))
    )
    return Announcement(
        number=number,
        authority=_require(head, "authority", str, where),
        title=_require(head, "title", str, where),
        issued=_require(head, "issued", date, where),
        effective_from=_require(head, "effective_from", date, where),
        scope=scope,
        sources=tuple(_require(head, "sources", list, where)),
        entries=entries,
        rules=tuple(data.get("rules", [])),
        suspensions=suspensions,
    )


LIST_FILE = "_list.toml"


def _data_as_of(data: dict) -> date:
    head = _require(data, "list", dict, LIST_FILE)
    return _require(head, "data_as_of", date, f"{LIST_FILE}[list]")


def control_list_load(directory: Path | None = None) -> ControlList:
    """Read and validate every announcement file and the list's currency (`_list.toml`:
    the date the files were last checked against); raise ControlListError on bad data."""
    if directory is None:
        files = sorted(
            (p for p in resources.files(__package__).joinpath("controllist").iterdir()),
            key=lambda p: p.name,
        )
    else:
        files = sorted(Path(directory).iterdir())
    announcements = []
    as_of = None
    for path in files:
        if not path.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ControlListError(path.name, f"is not valid TOML: {exc}") from exc
        if path.name == LIST_FILE:
            as_of = _data_as_of(data)
        else:
            announcements.append(_announcement(path.name, data))
    _check_unique(announcements)
    if as_of is None:
        raise ControlListError(LIST_FILE, "is missing: the list must say how current it is")
    return ControlList(
        tuple(announcements), tuple(s for a in announcements for s in a.suspensions), as_of
    )


def _check_unique(announcements: list[Announcement]) -> None:
    numbers: set[str] = set()
    codes: set[str] = set()
    for a in announcements:
        if a.number in numbers:
            raise ControlListError(a.number, "appears in two files")
        numbers.add(a.number)
        for e in a.entries:
            if e.code in codes:
                raise ControlListError(e.code, f"entry code is used twice (again in {a.number})")
            codes.add(e.code)
    if not announcements:
        raise ControlListError("directory", "holds no announcement files")


@cache
def control_list() -> ControlList:
    """The shipped control list, loaded once per process."""
    return control_list_load()
