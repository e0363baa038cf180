"""Shapes of the compliance API: alerts, runs, cases, risk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from reetrace.compliance.choices import AlertStatus, Severity
from reetrace.core.paging import limit_field, offset_field

ShortText = Field(min_length=1, max_length=2000)


class RunIn(Schema):
    rules: list[str] | None = Field(None, description="rule names; all rules when absent")
    start: date | None = Field(None, description="first month (any day of it)")
    end: date | None = Field(None, description="last month (any day of it)")
    as_of: datetime | None = Field(None, description="judge the ledger as it stood then")
    full: bool = Field(
        False, description="judge every month, not only those of events recorded since"
    )


class RunOut(Schema):
    id: int
    status: str
    rules: list[str]
    start: str | None
    end: str | None
    as_of: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict[str, Any]
    log: str
    full: bool
    last_event_pk: int | None
    periods: dict[str, Any]


class BalanceFilter(Schema):
    enterprise: str | None = Field(
        None, description="enterprise identifier (an enterprise user: its own, the default)"
    )
    start: str | None = Field(None, alias="from", description="first month, e.g. 2025-01")
    end: str | None = Field(None, alias="to", description="last month, e.g. 2025-12")
    element: str | None = Field(None, description="element symbol, e.g. Dy")
    limit: int = limit_field(1000, 10000)
    offset: int = offset_field()


class BalanceLineOut(Schema):
    enterprise: str
    period: str
    element: str
    unit: str = Field(description="kg REO (rare-earth oxide equivalent)")
    opening: float
    origin: float
    received: float
    produced: float
    shipped: float = Field(description="out of stock, positive")
    exported: float = Field(description="out of stock, positive")
    consumed: float = Field(description="transformation inputs, positive")
    adjusted: float = Field(description="net adjustments, signed (losses negative)")
    closing: float


class AlertFilter(Schema):
    rule: str | None = None
    severity: Severity | None = None
    status: AlertStatus | None = None
    enterprise: str | None = Field(None, description="enterprise identifier")
    period: str | None = Field(None, description="month, e.g. 2025-03")
    limit: int = limit_field(200, 1000)
    offset: int = offset_field()


class AlertOut(Schema):
    id: int
    rule: str
    severity: str
    enterprise: str
    enterprise_name: str
    period: str
    elements: list[str]
    figures: dict[str, Any]
    lots: list[str]
    events: list[str]
    explanation: str
    status: str
    status_reason: str
    shared_with_enterprise: bool
    created_at: datetime


class AlertHistoryOut(Schema):
    action: str
    actor: str
    at: datetime
    from_status: str
    to_status: str
    reason: str


class EventEvidence(Schema):
    event_id: str
    kind: str
    reporter: str
    event_time: datetime
    period: str


class AlertDetailOut(AlertOut):
    history: list[AlertHistoryOut]
    evidence: list[EventEvidence]
    cases: list[int]


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class DismissIn(Schema):
    reason: str = ShortText


class ShareIn(Schema):
    shared: bool = True
    reason: str = Field("", max_length=2000)


class RiskOut(Schema):
    rank: int
    enterprise: str
    name: str
    score: float
    alerts: dict[str, int]


class CaseIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    alerts: list[int] = Field(min_length=1, max_length=500)
    assignee: str | None = Field(None, description="username of the analyst")
    hold_disclosure: bool = Field(
        False,
        description="while open, the enterprises concerned do not see government reads "
        "of their data made since the case was opened",
    )


class AssignIn(Schema):
    assignee: str = Field(min_length=1, max_length=150)


class NoteIn(Schema):
    text: str = ShortText


class AttachmentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=1, description="the file, base64-encoded")


class OutcomeIn(Schema):
    outcome: str = ShortText


class NoteOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class StepOut(Schema):
    action: str
    actor: str
    at: datetime
    detail: dict[str, Any]


class CaseOut(Schema):
    id: int
    title: str
    status: str
    assignee: str | None
    outcome: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    alerts: list[int]


class CaseDetailOut(CaseOut):
    notes: list[NoteOut]
    attachments: list[AttachmentOut]
    steps: list[StepOut]
