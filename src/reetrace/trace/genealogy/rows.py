"""What one trace statement answers, by name: a row type per kind of fact.

The statement (`sql.trace_statement`) returns, in one UNION ALL, the lots the walk
kept, the links between them, the links leading beyond them, and their custody
(downstream) or origin records (upstream). Each branch selects the fields of one
row type below; `sql.py` places them in the statement's typed columns and gives
each branch a reader, so nothing downstream of the SQL reads a row by position.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

__all__ = [
    "BeyondRow",
    "ExportRow",
    "LinkRow",
    "LotRow",
    "OriginRow",
    "ShipmentRow",
]

# SQLite answers timestamps as text; `result.moment` makes them aware datetimes.
Moment = datetime | str | None


class LotRow(NamedTuple):
    """A lot the walk kept, with its product, producer and composition."""

    lot_id: int
    mass_mg: int
    code: str
    product: str
    form: str
    producer: str
    producer_name_en: str
    producer_name_zh: str
    elements: str | None  # "Nd=235000000,Pr=..." (element=ppb pairs)
    made_at: Moment


class LinkRow(NamedTuple):
    """A live genealogy link between two lots the walk kept."""

    parent_id: int
    child_id: int
    kg_mg: int
    reo_kg: str  # JSON: REO kg per element carried by the link
    event_id: str


class BeyondRow(NamedTuple):
    """How many live links lead from a kept lot to lots not kept."""

    lot_id: int
    links: int


class ShipmentRow(NamedTuple):
    """A standing shipment of a kept lot (downstream), with what was received of it."""

    lot_id: int
    received_mg: int
    mass_mg: int
    event_id: str
    buyer: str
    buyer_name_en: str
    buyer_name_zh: str
    seller: str
    shipped_at: Moment


class ExportRow(NamedTuple):
    """A standing export declaration of a kept lot (downstream)."""

    lot_id: int
    mass_mg: int
    event_id: str
    declaration: str
    destination: str
    consignee: str
    end_user: str
    hs_code: str
    licence: str
    exporter: str
    exported_at: Moment


class OriginRow(NamedTuple):
    """The origin record (mine, import, recycling) of a kept lot with no parent (upstream)."""

    lot_id: int
    event_id: str
    kind: str
    quota: str | None
    country: str
    declaration: str
    source: str
