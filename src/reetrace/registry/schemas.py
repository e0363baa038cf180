from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from reetrace.registry.choices import (
    EnterpriseRole,
    EnterpriseStatus,
    ProductForm,
    QuotaKind,
    SiteKind,
)


class ElementOut(Schema):
    symbol: str
    name: str
    name_zh: str
    atomic_weight: Decimal
    oxide: str
    metal_to_oxide: Decimal
    oxide_to_metal: Decimal
    group: str


class ProductOut(Schema):
    code: str
    form: ProductForm
    hs_code: str
    description: str


class SiteIn(Schema):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: SiteKind
    province: str = ""


class SiteOut(SiteIn):
    pass


class EnterpriseIn(Schema):
    identifier: str | None = Field(
        None, description="unified social credit code (Chinese enterprises)"
    )
    country: str = "CN"
    foreign_id: str | None = Field(None, description="registration id abroad (foreign parties)")
    name_zh: str = ""
    name_en: str = ""
    province: str = ""
    group: str | None = None
    roles: list[EnterpriseRole] = Field(min_length=1)
    sites: list[SiteIn] = []


class EnterpriseOut(Schema):
    identifier: str
    country: str
    name_zh: str
    name_en: str
    province: str
    group: str | None
    status: EnterpriseStatus
    roles: list[str]
    sites: list[SiteOut]
    registered_at: datetime


class StatusIn(Schema):
    status: EnterpriseStatus
    reason: str = Field(min_length=1, max_length=300)


class QuotaIn(Schema):
    code: str = Field(min_length=1, max_length=64)
    enterprise: str
    year: int = Field(ge=2000, le=2100)
    kind: QuotaKind
    light_t: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    medium_heavy_t: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    document: str = Field(min_length=1, max_length=200)


class QuotaOut(QuotaIn):
    pass
