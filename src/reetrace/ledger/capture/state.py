"""What a capture batch works with: the state it tracks, the plan it writes, the hooks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from reetrace.accounts.models import User
from reetrace.core.errors import FieldError
from reetrace.ledger.models import (
    Event,
    Lot,
    Shipment,
)
from reetrace.registry.models import Enterprise


@dataclass
class ExportCheck:
    """What an export guard sees of an export being captured."""

    event: Event
    reporter: Enterprise
    lot: Lot
    composition: dict[str, Decimal]
    kg: Decimal
    destination: str
    consignee: str
    end_user: str
    licence: str
    hs_code: str


ExportGuard = Callable[[ExportCheck, dict], list[models.Model]]
RejectionListener = Callable[[User, list[Any], list[FieldError]], None]

# Other apps plug their rules in here from AppConfig.ready(), so the ledger does
# not import them: an export guard raises ReetraceError to refuse an export or
# returns rows to write with it (e.g. a licence drawdown); its dict argument is
# its own working state for the batch. Rejection listeners run after a batch
# was refused and rolled back (e.g. to keep refused export attempts on record).
EXPORT_GUARDS: list[ExportGuard] = []
REJECTION_LISTENERS: list[RejectionListener] = []


@dataclass
class CapturedEvent:
    event: Event
    created: bool
    lot_codes: list[str]


@dataclass
class CaptureResult:
    items: list[CapturedEvent]

    @property
    def created(self) -> int:
        return sum(1 for i in self.items if i.created)

    @property
    def replayed(self) -> int:
        return sum(1 for i in self.items if not i.created)


@dataclass
class LotState:
    lot: Lot
    composition: dict[str, Decimal]


@dataclass
class ShipmentState:
    shipment: Shipment
    remaining: Decimal
    voided: bool = False
    has_receipts: bool = False


@dataclass
class PostingSpec:
    lot: LotState
    holder: Enterprise
    bucket: str
    flow: str
    kg: Decimal
    period: Any
    shipment: ShipmentState | None = None


@dataclass
class Plan:
    event: Event
    rows: dict[type[models.Model], list[models.Model]] = field(
        default_factory=lambda: defaultdict(list)
    )
    postings: list[PostingSpec] = field(default_factory=list)
    # (lot, element, fraction) and (parent, child, kg, REO kg per element): written as
    # plain rows, being the most numerous after postings.
    elements: list[tuple[Lot, str, Decimal]] = field(default_factory=list)
    links: list[tuple[Lot, Lot, Decimal, dict[str, str]]] = field(default_factory=list)
    lot_codes: list[str] = field(default_factory=list)
    extra_rows: list[models.Model] = field(default_factory=list)

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)
