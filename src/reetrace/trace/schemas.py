from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from reetrace.core.schemas import Record


class LotOut(Record):
    code: str
    product: str
    form: str
    producer: str
    mass_kg: Decimal
    composition: dict[str, Decimal]
    reo_kg: dict[str, Decimal]
    made_at: datetime
    created_by: str


class EdgeOut(Record):
    source: str
    target: str
    kind: str
    kg: Decimal
    reo_kg: dict[str, Decimal]
    event_id: str | None
    detail: dict[str, Any]


class GenerationOut(Record):
    """One generation (shortest-path distance from the traced lot) of the lots shown."""

    depth: int
    lots: int
    kg: Decimal = Field(description="mass made of these lots, kg")
    producers: int
    origins: int = Field(description="origin lots (mine, import, recycling) among them")
    shipments: int
    shipped_kg: Decimal
    holders: int = Field(description="distinct buyers these lots were shipped to")
    exports: int
    export_kg: Decimal
    complete: bool = Field(
        description="every lot of this generation is shown (no nearer lot has links beyond)"
    )


class UnresolvedOut(Record):
    """REO of the traced lot that reaches this frontier lot and flows on beyond the graph."""

    lot: str
    depth: int
    enterprise: str
    links_beyond: int
    reo_kg: dict[str, Decimal]


class AttributionOut(Record):
    lot_reo_kg: dict[str, Decimal] = Field(description="REO content of the traced lot")
    origins_reo_kg: dict[str, Decimal] = Field(description="attributed to the origins listed")
    unresolved_reo_kg: dict[str, Decimal] = Field(
        description="flowing beyond the graph shown (raise `limit` to resolve it)"
    )


class GenealogyOut(Record):
    lot: str
    direction: str
    limit: int | None = Field(description="most lots shown; the nearest generations first")
    depth: int | None = Field(description="most generations shown, if asked")
    truncated: bool = Field(
        description="the genealogy goes on beyond the lots shown (lot nodes with `more` > 0)"
    )
    nodes: dict[str, dict[str, Any]] = Field(
        description="lots (with `depth` and `more`: links not shown), buyers and exports"
    )
    edges: list[EdgeOut]
    origins: list[dict[str, Any]]
    unresolved: list[UnresolvedOut]
    attribution: AttributionOut | None = Field(description="upstream only")
    generations: list[GenerationOut]


class StockLineOut(Record):
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
