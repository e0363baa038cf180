"""What every check shares: the window it looks at, the finding it yields, its class."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from reetrace.compliance.config import rule_params


@dataclass(frozen=True)
class Window:
    """Months `start`..`end` (inclusive, None = open), judged on the date `as_of`.

    `as_of` is the "today" of ages and deadlines (a shipment unconfirmed for 30
    days, a report past its deadline); the checks read the ledger as it is now,
    since events are often recorded long after they happened. `months`, when set,
    narrows the window to those months (an incremental run: the months that events
    recorded since the previous run touch).
    """

    start: date | None
    end: date | None
    as_of: datetime
    months: frozenset[date] | None = None

    def period_filter(self, field_name: str = "period") -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.start:
            found[f"{field_name}__gte"] = self.start
        if self.end:
            found[f"{field_name}__lte"] = self.end
        if self.months is not None:
            found[f"{field_name}__in"] = sorted(self.months)
        return found

    def contains(self, period: date) -> bool:
        return (
            (self.start is None or period >= self.start)
            and (self.end is None or period <= self.end)
            and (self.months is None or period in self.months)
        )


@dataclass
class Finding:
    """One alert-to-be; `key` says what it is about, so the fingerprint is stable."""

    rule: str
    key: str
    severity: str
    enterprise_id: int
    period: date
    explanation: str
    figures: dict[str, Any]
    elements: list[str] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    shared: bool = False

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.rule}|{self.key}".encode()).hexdigest()


class Check:
    """A rule over the ledger: `findings(window)` yields what it found.

    Subclasses set `name` (the rule's stable id, also its section in config.toml)
    and `title`, and document their parameters in their docstring.

    Incremental runs: a check with `incremental = True` judges only the months that
    new events touch, widened by `affected()` (a trailing-history rule also re-judges
    the months whose history changed). One with `incremental = False` depends on the
    clock (ages, deadlines) or on data other than events (customs records, licence
    applications, reports) and always runs over the whole window. `sources` names the
    other tables it reads (see services/detection.py SOURCES): when one of them
    gained rows since the previous run, the check runs over the whole window.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    incremental: ClassVar[bool] = False
    sources: ClassVar[tuple[str, ...]] = ()

    def __init__(self, overrides: dict[str, Any] | None = None, source=None):
        self.params = rule_params(self.name, overrides)
        # where set-based aggregates are read (checks/ledger.py DatabaseSource when None)
        self.source = source

    def findings(self, window: Window) -> Iterator[Finding]:
        raise NotImplementedError

    def event_finding(self, event, *, enterprise_id: int | None = None, **details) -> Finding:
        """A finding about one event: keyed by its id, in its month, at the rule's
        severity, and the reporter's unless `enterprise_id` names who answers for it
        (the buyer of a shipment, the exporter of a declaration)."""
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=event.reporter_id if enterprise_id is None else enterprise_id,
            period=event.period,
            **details,
        )

    def affected(self, months: set[date]) -> set[date]:
        """The months to re-judge when events in `months` are new (default: those)."""
        return set(months)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = add_months(month, 1)
    return found


def kg(value: float) -> float:
    """Round a float kg figure for display (1 g)."""
    return round(value, 3)
