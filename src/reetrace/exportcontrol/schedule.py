"""A year's official working-day schedule as data: the State Council's notice of public
holidays and adjusted working days (调休), in the control list's style (TOML with its
authority, notice, issue date and sources), for years `chinesecalendar` does not cover.

The file is refused, with its line and field named, unless every date lies in the
year, no two holidays overlap, and every adjusted working day is a Saturday or Sunday
outside the holidays: a wrong schedule moves every statutory due date.

    [schedule]
    year = 2027
    authority = "General Office of the State Council"
    notice = "国办发明电〔2026〕N号"
    title = "关于2027年部分节假日安排的通知"
    issued = 2026-11-12
    sources = ["https://www.gov.cn/..."]

    [[holidays]]
    name = "New Year's Day"
    from = 2027-01-01
    until = 2027-01-03          # inclusive

    [[workdays]]
    date = 2027-02-06
    name = "Spring Festival"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta

from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = ["Schedule", "ScheduleInvalid", "schedule_parse"]


class ScheduleInvalid(ReetraceError):
    """A schedule file that must not be loaded, with the line and field at fault."""

    status = 400

    def __init__(self, line: int | None, field: str, message: str):
        where = f"line {line}, {field}" if line else field
        super().__init__(
            ErrorCode.INVALID,
            f"schedule {where}: {message}",
            field=field,
            record=f"line {line}" if line else None,
        )


@dataclass(frozen=True)
class Schedule:
    year: int
    authority: str
    notice: str
    title: str
    issued: date
    sources: tuple[str, ...]
    holidays: dict[date, str]  # every day off, with its holiday's name
    workdays: dict[date, str]  # adjusted working days (weekend days worked)


def _line(text: str, table: str, index: int | None, key: str) -> int | None:
    """The line of `key` in the index-th `[[table]]` (or in `[table]`), for the message."""
    header = f"[[{table}]]" if index is not None else f"[{table}]"
    seen, inside, found = -1, False, None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            inside = line == header and (index is None or (seen := seen + 1) == index)
            if inside:
                found = number
            continue
        if inside and line.split("=", 1)[0].strip() == key:
            return number
    return found


class _Reader:
    def __init__(self, text: str):
        self.text = text

    def fail(self, table: str, index: int | None, key: str, message: str):
        field = f"{table}.{index}.{key}" if index is not None else f"{table}.{key}"
        return ScheduleInvalid(_line(self.text, table, index, key), field, message)

    def get(self, row: dict, table: str, index: int | None, key: str, kind: type):
        value = row.get(key)
        if value is None:
            raise self.fail(table, index, key, "is missing")
        if not isinstance(value, kind) or (kind is date and hasattr(value, "hour")):
            raise self.fail(table, index, key, f"must be a {kind.__name__}, not {value!r}")
        return value

    def in_year(self, day: date, year: int, table: str, index: int, key: str) -> date:
        if day.year != year:
            raise self.fail(table, index, key, f"{day} is not in {year}")
        return day


def schedule_parse(text: str) -> Schedule:
    """Read and validate one year's schedule; raise ScheduleInvalid naming line and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleInvalid(None, "file", f"is not valid TOML: {exc}") from exc
    r = _Reader(text)
    head = data.get("schedule")
    if not isinstance(head, dict):
        raise ScheduleInvalid(None, "schedule", "the [schedule] table is missing")
    year = r.get(head, "schedule", None, "year", int)
    if not 2000 <= year <= 2100:
        raise r.fail("schedule", None, "year", f"{year} is not a year of this century")
    sources = r.get(head, "schedule", None, "sources", list)
    if not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        raise r.fail("schedule", None, "sources", "must name at least one source")
    holidays: dict[date, str] = {}
    for n, row in enumerate(data.get("holidays", [])):
        name = r.get(row, "holidays", n, "name", str)
        start = r.in_year(r.get(row, "holidays", n, "from", date), year, "holidays", n, "from")
        end = r.in_year(r.get(row, "holidays", n, "until", date), year, "holidays", n, "until")
        if end < start:
            raise r.fail("holidays", n, "until", f"{end} is before from {start}")
        day = start
        while day <= end:
            if day in holidays:
                raise r.fail("holidays", n, "from", f"{day} is already in {holidays[day]!r}")
            holidays[day] = name
            day += timedelta(days=1)
    if not holidays:
        raise ScheduleInvalid(None, "holidays", "a year's schedule names its holidays")
    workdays: dict[date, str] = {}
    for n, row in enumerate(data.get("workdays", [])):
        name = r.get(row, "workdays", n, "name", str)
        day = r.in_year(r.get(row, "workdays", n, "date", date), year, "workdays", n, "date")
        if day in holidays:
            raise r.fail("workdays", n, "date", f"{day} is a day off of {holidays[day]!r}")
        if day in workdays:
            raise r.fail("workdays", n, "date", f"{day} is listed twice")
        if day.weekday() < 5:
            raise r.fail(
                "workdays", n, "date", f"{day} is a {day:%A}: only a weekend day is adjusted"
            )
        workdays[day] = name
    return Schedule(
        year=year,
        authority=r.get(head, "schedule", None, "authority", str),
        notice=r.get(head, "schedule", None, "notice", str),
        title=r.get(head, "schedule", None, "title", str),
        issued=r.get(head, "schedule", None, "issued", date),
        sources=tuple(sources),
        holidays=holidays,
        workdays=workdays,
    )
