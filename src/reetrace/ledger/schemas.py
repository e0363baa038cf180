"""Shapes of ledger events as clients send them (API body, JSON lines, CSV rows).

These check only the shape; every rule that needs the ledger's state lives in
`ledger/capture/` so that the API, the CLI and the bulk loader enforce the same rules.
Incoming shapes are plain pydantic models: ninja's Schema adds a validator that
reads Django objects, which an incoming dict never is, at a cost on every event
of a bulk load.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Schema
from pydantic import BaseModel, Field, field_validator

from reetrace.ledger.choices import AdjustReason, CorrectionAction, Process
from reetrace.ledger.rules import CHINA_TIME

EventId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
MassInput = Annotated[
    Decimal | str, Field(description="kg as a number, or '12.5 kg', '0.3 t', '300 g'")
]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CNY, USD")]


class LotIn(BaseModel):
    code: str | None = Field(None, description="optional; assigned when absent")
    product: str
    mass: MassInput
    composition: dict[str, Decimal | str] = Field(
        description=(
            "mass fraction of each element as metal, any element of the periodic table "
            "(only rare earths count for conservation and REO), e.g. "
            "{'Nd': 0.235, 'Fe': 0.65, 'B': 0.01}; an oxide, carbonate or chloride holds at "
            "most its formula's share of each rare earth (Dy2O3: Dy 0.8713)"
        )
    )
    site: str | None = None
    external_ref: str = Field("", max_length=64)


class EventBase(BaseModel):
    event_id: EventId
    event_time: datetime = Field(description="ISO 8601 with a UTC offset")
    reporter: str | None = Field(
        None, description="enterprise identifier; defaults to the user's enterprise"
    )
    recorded_at: datetime | None = Field(
        None, description="historical loads by administrators only"
    )

    @field_validator("event_time", "recorded_at")
    @classmethod
    def _needs_offset(cls, value: datetime | None) -> datetime | None:
        """An offset, a UTC instant that exists, and not before the configured floor
        (a year 478 or 1899 is a typing error, not a record)."""
        if value is None:
            return value
        if value.utcoffset() is None:
            raise ValueError("needs a UTC offset, e.g. 2025-03-01T08:00:00+08:00")
        try:
            utc = value.astimezone(UTC)
            value.astimezone(CHINA_TIME)
        except OverflowError:
            raise ValueError("lies outside the range of dates this system can record") from None
        floor = settings.REETRACE_EVENT_TIME_FLOOR
        if utc.date() < floor:
            raise ValueError(f"is before {floor.isoformat()}, the earliest time accepted")
        return value


class MineIn(EventBase):
    kind: Literal["mine"]
    quota: str
    lot: LotIn


class ImportIn(EventBase):
    kind: Literal["import"]
    customs_declaration: ShortText
    origin_country: str
    lot: LotIn


class RecycleIn(EventBase):
    kind: Literal["recycle"]
    source: ShortText = Field(description="what was collected, e.g. 'sintered NdFeB swarf'")
    lot: LotIn


class TransformInput(BaseModel):
    lot: str
    mass: MassInput


class TransformIn(EventBase):
    kind: Literal["transform"]
    process: Process
    quota: str | None = Field(None, description="separation quota consumed (separation only)")
    inputs: list[TransformInput] = Field(min_length=1, max_length=2000)
    outputs: list[LotIn] = Field(min_length=1, max_length=2000)


class ShipIn(EventBase):
    kind: Literal["ship"]
    lot: str
    mass: MassInput
    buyer: str
    unit_price: Decimal = Field(
        ge=0, max_digits=18, decimal_places=4, description="price per kg in `currency`"
    )
    currency: Currency
    contract: ShortText


class ReceiveIn(EventBase):
    kind: Literal["receive"]
    shipment: EventId = Field(description="event id of the shipment")
    mass: MassInput


class ExportIn(EventBase):
    kind: Literal["export"]
    lot: str
    mass: MassInput
    customs_declaration: ShortText
    hs_code: str = Field(pattern=r"^\d{6,10}$")
    destination: str
    consignee: ShortText
    end_user: ShortText
    licence: str = Field("", max_length=64)
    fob_value: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: Currency


class AdjustIn(EventBase):
    kind: Literal["adjust"]
    lot: str
    mass: MassInput = Field(description="signed change: negative for a loss")
    reason: AdjustReason
    note: str = Field("", max_length=300)


class CorrectIn(EventBase):
    kind: Literal["correct"]
    corrects: EventId
    action: CorrectionAction
    reason: ShortText
    replacement: dict[str, Any] | None = Field(
        None, description="for 'replace': the corrected fields of the same kind of event"
    )


EventItem = (
    MineIn
    | ImportIn
    | RecycleIn
    | TransformIn
    | ShipIn
    | ReceiveIn
    | ExportIn
    | AdjustIn
    | CorrectIn
)
EventIn = Annotated[EventItem, Field(discriminator="kind")]


class BatchIn(Schema):
    events: list[EventIn] = Field(min_length=1, max_length=5000)


class EventOut(Schema):
    event_id: str
    kind: str
    reporter: str
    event_time: datetime
    period: str
    recorded_at: datetime
    is_late: bool
    content: dict
    lots_created: list[str]
    voided: bool


class CapturedOut(Schema):
    event_id: str
    kind: str
    status: Literal["created", "replayed"]
    period: str
    is_late: bool
    lots_created: list[str]


class BatchOut(Schema):
    created: int
    replayed: int
    events: list[CapturedOut]
