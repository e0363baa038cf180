from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema


class LotOut(Schema):
    code: str
    product: str
    form: str
    producer: str
    mass_kg: Decimal
    composition: dict[str, Decimal]
    reo_kg: dict[str, Decimal]
    made_at: datetime
    created_by: str


class EdgeOut(Schema):
    source: str
    target: str
    kind: str
    kg: Decimal
    reo_kg: dict[str, Decimal]
    event_id: str | None
    detail: dict[str, Any]


class GenealogyOut(Schema):
    lot: str
    direction: str
    nodes: dict[str, dict[str, Any]]
    edges: list[EdgeOut]
    origins: list[dict[str, Any]]


class StockLineOut(Schema):
    lot: str
    product: str
    form: str
    state: str
    kg: Decimal
    reo_kg: dict[str, Decimal]


class SaleOut(Schema):
    event_id: str
    date: datetime
    seller: str
    seller_name: str
    buyer: str
    buyer_name: str
    lot: str
    kg: Decimal
    received_kg: Decimal
    unit_price: Decimal
    currency: str
    contract: str


class ExportOut(Schema):
    event_id: str
    date: datetime
    exporter: str
    exporter_name: str
    lot: str
    kg: Decimal
    customs_declaration: str
    hs_code: str
    destination: str
    consignee: str
    end_user: str
    licence: str
    fob_value: Decimal
    currency: str


class ExportSummaryOut(Schema):
    month: str
    destination: str
    hs_code: str
    kg: Decimal


class VerifyOut(Schema):
    code: str
    genuine: bool
    product: str | None = None
    form: str | None = None
    producer: str | None = None
    production_month: str | None = None


class RegisterFilter(Schema):
    start: date | None = None
    end: date | None = None
