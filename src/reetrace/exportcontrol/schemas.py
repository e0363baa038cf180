"""Request and response shapes of the export-control API."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

ShortText = Field(min_length=1, max_length=200)


class ClassifyIn(Schema):
    composition: str = Field("", description="mass fractions as metal: 'Nd=0.29,Dy=0.021'")
    hs_code: str | None = Field(None, pattern=r"^\d{6,10}$")
    date: dt.date | None = Field(None, description="default: today (China)")


class MatchOut(Schema):
    code: str
    announcement: str
    element: str
    wt_pct: str
    threshold_wt_pct: str
    threshold_status: str
    entry_status: str
    status: str
    reason: str


class ClassificationOut(Schema):
    on_date: date
    form: str
    licence_required: bool
    matches: list[MatchOut]
    suspended_matches: list[MatchOut]
    pending_matches: list[MatchOut] = Field(
        description="entries the composition reaches whose announcement is not yet in force"
    )
    decided_by: list[str] = Field(description="the announcements that decide the answer")
    data_as_of: date | None = Field(
        description="the control-list data's currency: later announcements are not known"
    )
    notes: list[str]


class PartyIn(Schema):
    name: str = ShortText
    country: str = Field(min_length=2, max_length=2)


class ItemIn(Schema):
    lot: str | None = None
    product: str | None = None
    form: str | None = None
    composition: dict[str, str] | None = None
    mass: str | Decimal = Field(description="kg, or with a unit: '500 kg', '2 t'")
    value: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)


class ApplicationIn(Schema):
    applicant: str | None = Field(None, description="only for users without an enterprise")
    kind: str = Field("individual", pattern="^(individual|general)$")
    consignee: PartyIn
    end_user: PartyIn
    end_use: str = Field(min_length=1, max_length=500)
    destination: str = Field(min_length=2, max_length=2)
    contract_number: str = Field(min_length=1, max_length=64)
    items: list[ItemIn] = Field(min_length=1)


class DocumentIn(Schema):
    """JSON alternative to a multipart upload: the file as base64."""

    kind: str
    filename: str = ShortText
    content_base64: str = Field(min_length=1)


class DocumentOut(Schema):
    kind: str
    filename: str
    sha256: str
    size: int


class ActionIn(Schema):
    action: str
    comment: str = Field("", max_length=1000)


class DecisionIn(ActionIn):
    licensed_kg: list[str] | None = Field(None, description="per item, for 'approve'")
    valid_from: date | None = None
    valid_until: date | None = None
    retroactive_reason: str = Field(
        "",
        max_length=1000,
        description="required when valid_from is before the decision date; the exports "
        "the licence then covers before its decision are listed on it",
    )


class ItemOut(Schema):
    product: str
    form: str
    composition: dict[str, str]
    lot: str | None
    kg: Decimal
    value: Decimal
    currency: str
    control_codes: list[str]


class ApplicationHistoryOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    comment: str


class PartyOut(Schema):
    name: str
    country: str


class ApplicationDetailOut(Schema):
    applicant: str
    applicant_name: str
    consignee: PartyOut
    end_user: PartyOut
    end_use: str
    destination: str
    contract_number: str
    items: list[ItemOut]
    documents: list[DocumentOut]
    documents_missing: list[str]
    history: list[ApplicationHistoryOut]
    licence: str | None


class ApplicationOut(Schema):
    number: str
    kind: str
    state: str
    created_at: datetime
    submitted_at: datetime | None
    accepted_on: date | None
    decided_at: datetime | None
    due_date: date | None = Field(None, description="null before acceptance")
    due_date_provisional: bool | None = Field(
        None,
        description="the due date counts Monday to Friday in a year with no official "
        "schedule yet (chinesecalendar lacks it and none is loaded); see clock_note",
    )
    days_elapsed: int | None = Field(None, description="working days since acceptance")
    days_left: int | None = None
    overdue: bool | None = None
    clock_paused: bool | None = None
    clock_note: str | None = Field(None, description="why the due date is provisional")
    detail: ApplicationDetailOut | None = Field(
        None, description="absent for foreign partner analysts (state and dates only)"
    )


class HitOut(Schema):
    party: str | None = None
    screened_name: str | None = None
    list: str
    entry: str
    entry_country: str
    listed_since: date | None
    matched_name: str
    score: int
    via: str


class LicenceItemOut(Schema):
    form: str
    elements: list[str]
    control_codes: list[str]
    kg: Decimal
    kg_left: Decimal | None


class LicenceOut(Schema):
    number: str
    kind: str
    application: str
    exporter: str
    consignee: str
    end_user: str
    destination: str
    valid_from: date
    valid_until: date
    kg_cap: Decimal | None
    kg_left: Decimal | None
    items: list[LicenceItemOut]
    retroactive_reason: str = Field(description="empty unless valid before its decision")
    retroactive_exports: list[str] = Field(
        description="event ids of exports made before the decision that the licence covers"
    )


class RefusedExportOut(Schema):
    event_id: str
    exporter: str
    lot: str
    mass: str
    destination: str
    consignee: str
    end_user: str
    licence_cited: str
    reason: str
    codes: list[str]
    at: datetime


class CountOut(Schema):
    state: str
    count: int


class DecisionCountOut(Schema):
    key: str
    approved: int
    rejected: int


class StatsOut(Schema):
    as_of: date
    applications: int
    backlog: list[CountOut]
    decided: int
    median_working_days_to_decision: float | None
    p90_working_days_to_decision: float | None
    overdue: list[str]
    clock_provisional: int = Field(
        description="applications whose clock counts days of a year with no official "
        "working-day schedule yet (Monday to Friday, provisional)"
    )
    by_destination: list[DecisionCountOut]
    by_element: list[DecisionCountOut]
    by_applicant: list[DecisionCountOut]
    licensed_kg: Decimal
    exported_kg: Decimal


class WatchListImportIn(Schema):
    entries_csv: str = Field(description="columns: name, aliases, country, list, listed_since")
    ownership_csv: str | None = Field(None, description="columns: owner, owned, percent")


class WatchListImportOut(Schema):
    created: int
    updated: int
    ownership_links: int


class ScreenIn(Schema):
    name: str = ShortText
    country: str = ""
    min_score: int | None = Field(None, ge=0, le=100)


class VettingIn(Schema):
    enterprise: str = Field(min_length=1, max_length=64, description="enterprise identifier")
    since: date
    until: date | None = Field(None, description="last day vetted; none: open-ended")
    basis: str = Field(min_length=1, max_length=500, description="why the exporter is vetted")


class RevocationIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class VettingOut(Schema):
    id: int
    enterprise: str
    enterprise_name: str
    since: date
    until: date | None
    basis: str
    status: str = Field(description="on today's China date: valid, pending, ended or revoked")
    vetted_by: str
    vetted_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None
    revocation_reason: str


class ScheduleIn(Schema):
    toml: str = Field(
        description="a year's official schedule: [schedule] year, authority, notice, title, "
        "issued, sources; [[holidays]] name, from, until; [[workdays]] date, name",
        max_length=100_000,
    )


class RecomputedClockOut(Schema):
    number: str
    due_date: date
    provisional: bool
    due_date_before: date


class ScheduleLoadOut(Schema):
    year: int
    notice: str
    issued: date
    sources: list[str]
    days_off: int
    adjusted_working_days: int
    recomputed: list[RecomputedClockOut]
