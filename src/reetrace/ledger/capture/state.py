"""What a capture batch works with: the state it tracks (`BatchState`), the plan each
event writes (`Plan`), and what the batch answers (`CaptureResult`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from reetrace.accounts.models import User
from reetrace.ledger.models import Event, Lot, Shipment
from reetrace.ledger.schemas import EventItem
from reetrace.registry.models import Enterprise, Product, Quota, Site


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
    period: date
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

    @property
    def reporter(self) -> Enterprise:
        """The enterprise reporting the event (set on the unsaved Event, no query)."""
        return self.event.reporter

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)


@dataclass
class BatchState:
    """The working state of one batch: what the ledger holds, as read by
    `prefetch.state_load`, plus what the batch's earlier items did to it.

    The rules read and move it item by item, so item 5 may ship the lot that item 2
    made; nothing here is written, the plans are.
    """

    actor: User
    now: datetime
    # by identifier; with their registry roles by enterprise pk
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    quotas: dict[str, Quota] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    # lots by code, and stock kg by (lot code, holder pk)
    lots: dict[str, LotState] = field(default_factory=dict)
    stock: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    # shipments and events by event id; event ids already corrected
    shipments: dict[str, ShipmentState] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)
    # the postings of each event a correction may reverse, by event id
    postings_of: dict[str, list[PostingSpec]] = field(default_factory=dict)
    # (enterprise pk, month) whose report is closed
    closed: set[tuple[int, date]] = field(default_factory=set)
    # content hash of each event id this batch captured, to tell a resend from a clash
    batch_ids: dict[str, str] = field(default_factory=dict)
    # parsed replacement events of `correct` items, by the correction's event id
    replacements: dict[str, EventItem] = field(default_factory=dict)
    # each export guard's own working state, by plug-in name
    guard_state: dict[str, dict] = field(default_factory=dict)
