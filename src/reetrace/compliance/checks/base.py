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
    since events are often recorded long after they happened.
    """

    start: date | None
    end: date | None
    as_of: datetime

    def period_filter(self, field_name: str = "period") -> dict[str, date]:
        found = {}
        if self.start:
            found[f"{field_name}__gte"] = self.start
        if self.end:
            found[f"{field_name}__lte"] = self.end
        return found

    def contains(self, period: date) -> bool:
        return (self.start is None or period >= self.start) and (
            self.end is None or period <= self.end
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
    """

    name: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, overrides: dict[str, Any] | None = None):
        self.params = rule_params(self.name, overrides)

    def findings(self, window: Window) -> Iterator[Finding]:
        raise NotImplementedError


def kg(value: float) -> float:
    """Round a float kg figure for display (1 g)."""
    return round(value, 3)
