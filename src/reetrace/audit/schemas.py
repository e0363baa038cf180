from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from reetrace.audit.choices import AuditAction
from reetrace.core.paging import limit_field, offset_field


class EntryFilter(Schema):
    action: AuditAction | None = None
    actor: str | None = Field(None, max_length=150, description="user name")
    enterprise: str | None = Field(None, max_length=64, description="enterprise identifier")
    since: date | None = Field(None, description="first day, e.g. 2026-01-01")
    until: date | None = Field(None, description="last day")
    format: Literal["json", "csv", "xlsx"] = Field("json", description="json, or a download")
    limit: int = limit_field(200, 5000)
    offset: int = offset_field()


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str
    actor_role: str
    office: str
    action: str
    object_type: str
    object_id: str
    fields: dict
    enterprise: str
    address: str
    via: str
    reason: str


class GovernmentReadsOut(Schema):
    day: date
    office: str
    reads: int
