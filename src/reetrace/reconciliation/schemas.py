"""Request and response shapes of the reconciliation API."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from reetrace.compliance.schemas import CaseOut

MONTH = r"^\d{4}-\d{2}$"


class DatasetIn(Schema):
    """JSON alternative to a multipart upload: the file as text or base64."""

    format: str = Field(pattern="^(comext|comtrade|national)$")
    vintage: dt.date = Field(description="publication date of the release")
    name: str = Field("", max_length=200)
    source: str = Field("", max_length=200)
    aggregate: str = Field("", max_length=300, description="aggregate definition")
    weight_basis: str = Field("net", pattern="^(net|gross)$")
    filename: str = Field("partner.csv", min_length=1, max_length=200)
    content: str | None = Field(None, description="the CSV as text")
    content_base64: str | None = Field(None, description="the CSV as base64")


class DatasetOut(Schema):
    id: int
    name: str
    format: str
    source: str
    vintage: date
    aggregate: str
    weight_basis: str
    filename: str
    sha256: str
    rows_read: int
    rows_loaded: int
    skipped: dict[str, int]
    notes: list[str]
    loaded_at: datetime


class ComparisonIn(Schema):
    start: str | None = Field(None, pattern=MONTH, description="first month, YYYY-MM")
    end: str | None = Field(None, pattern=MONTH, description="last month, YYYY-MM")
    by: str = Field("hs6", pattern="^(hs6|group)$")
    level: str = Field("country", pattern="^(country|eu27)$")
    set: list[str] = Field(default_factory=list, description="parameter overrides key.path=value")


class CellIn(Schema):
    """How the cell's product and country are keyed (as in the comparison)."""

    by: str = Field("hs6", pattern="^(hs6|group)$")
    level: str = Field("country", pattern="^(country|eu27)$")


class CellCaseIn(CellIn):
    """Opening a case from a cell: optionally its title and another analyst to assign."""

    title: str = Field("", max_length=200, description="default: the cell in words")
    assignee: str | None = Field(None, description="username; default: the caller")


class CellCaseOut(CaseOut):
    created: bool = Field(description="false when an open case already holds the cell")


class FiguresOut(Schema):
    ours_kg: Decimal | None
    ours_value: Decimal | None
    theirs_kg: Decimal
    theirs_value: Decimal
    gap_kg: Decimal | None
    gap_value: Decimal | None
    gap_pct: Decimal | None = Field(description="gap in kg as a percentage of our kg")
    gap_value_pct: Decimal | None = Field(description="gap in value as a percentage of ours")
    unexplained_pct: Decimal | None
    parts_kg: dict[str, Decimal] | None
    parts_value: dict[str, Decimal] | None


class CellOut(FiguresOut):
    product: str
    product_label: str
    country: str
    month: str
    confidential: bool


class GridRowOut(Schema):
    country: str
    unexplained_kg: dict[str, Decimal | None]


class SeriesOut(Schema):
    month: str
    ours_kg: Decimal
    theirs_kg: Decimal


class ReportOut(Schema):
    dataset: dict[str, Any]
    scope: dict[str, Any]
    currency: str
    parameters: dict[str, Any]
    parts: list[str]
    cells: list[CellOut]
    totals: FiguresOut
    grid: list[GridRowOut]
    series: list[SeriesOut]
    confidential_cells: int = 0
    notes: dict[str, Any]


class DeclarationOut(Schema):
    event_id: str
    date: date
    arrival_month: str
    exporter: str
    exporter_name: str
    customs_declaration: str
    hs_code: str
    destination: str
    consignee: str
    end_user: str
    licence: str
    lot: str
    kg: Decimal
    fob_value: Decimal
    currency: str


class CellSummaryOut(Schema):
    kg: Decimal
    licensed_kg: Decimal
    exporters: int
    kg_by_arrival_month: dict[str, Decimal]


class DrilldownOut(Schema):
    product: str
    country: str
    month: str
    declarations: int
    confidential: bool
    items: list[DeclarationOut]
    summary: CellSummaryOut | None


class SubmissionIn(Schema):
    """JSON alternative to a multipart upload."""

    filename: str = Field("submission.csv", min_length=1, max_length=200)
    partner_country: str = Field("", max_length=8)
    content: str | None = None
    content_base64: str | None = None


class SubmissionOut(Schema):
    id: int
    partner_country: str
    filename: str
    sha256: str
    uploaded_at: datetime
    lines: int
    matched: int


class LineStatusOut(Schema):
    line: int
    importer: str
    supplier: str
    product: str
    kg_ordered: Decimal
    kg_received: Decimal
    kg_shipped: Decimal
    application: str | None
    application_state: str | None
    matched_by: str | None
    status: str
    since: date | None


class StatusCountOut(Schema):
    lines: int
    kg_ordered: Decimal
    since: date | None


class ImporterStatusOut(Schema):
    importer: str
    kg_ordered: Decimal
    kg_shipped: Decimal
    kg_received: Decimal
    by_status: dict[str, StatusCountOut]
    lines: list[LineStatusOut]
