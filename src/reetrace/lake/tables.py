"""Which tables the lake holds, how each is partitioned, and their Arrow schemas.

A ledger table is partitioned by reporting month: its own `period` where it has
one (events, postings, the monthly flow summary), else the period of the event
that wrote the row (a lot by the event that made it, a lot's elements by that
lot's). Reference tables (enterprises, quotas, licences, partner statistics) are
small and not tied to a ledger month: each export writes them whole.

Columns are the models' database columns with the values as stored: masses
integer milligrams, fractions integer parts per billion, the monthly summary
integer micrograms, prices exact decimals, JSON as its stored text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from django.apps import apps
from django.db import models

__all__ = ["TABLES", "LakeTable", "arrow_schema"]


@dataclass(frozen=True)
class LakeTable:
    """One table of the lake: its model, and how a row finds its month (None = whole)."""

    name: str
    model: str  # "app.Model"
    joins: str = ""  # SQL joining the row (alias t) to the event (alias e) that dates it
    period: str | None = "e.period"  # the month column; None: a reference table
    event_bound: str | None = "e.id"  # the column that must be <= the snapshot's last event

    @property
    def partitioned(self) -> bool:
        return self.period is not None

    def django_model(self) -> type[models.Model]:
        return apps.get_model(self.model)


_BY_EVENT = "JOIN ledger_event e ON e.id = t.event_id"

TABLES: tuple[LakeTable, ...] = (
    LakeTable("events", "ledger.Event", "", "t.period", "t.id"),
    LakeTable("lots", "ledger.Lot", "JOIN ledger_event e ON e.id = t.created_by_id"),
    LakeTable(
        "lot_elements",
        "ledger.LotElement",
        "JOIN ledger_lot l ON l.id = t.lot_id JOIN ledger_event e ON e.id = l.created_by_id",
    ),
    LakeTable("postings", "ledger.Posting", "", "t.period", "t.event_id"),
    LakeTable("links", "ledger.LotLink", _BY_EVENT),
    LakeTable("origins", "ledger.Origin", _BY_EVENT),
    LakeTable("transformations", "ledger.Transformation", _BY_EVENT),
    LakeTable("shipments", "ledger.Shipment", _BY_EVENT),
    LakeTable("receipts", "ledger.Receipt", _BY_EVENT),
    LakeTable("exports", "ledger.ExportDeclaration", _BY_EVENT),
    LakeTable("adjustments", "ledger.Adjustment", _BY_EVENT),
    LakeTable("corrections", "ledger.Correction", _BY_EVENT),
    LakeTable("drawdowns", "exportcontrol.Drawdown", _BY_EVENT),
    LakeTable("monthly_flows", "ledger.MonthlyFlow", "", "t.period", None),
    LakeTable("enterprises", "registry.Enterprise", "", None, None),
    LakeTable("quotas", "registry.Quota", "", None, None),
    LakeTable("licences", "exportcontrol.Licence", "", None, None),
    LakeTable("licence_items", "exportcontrol.LicenceItem", "", None, None),
    LakeTable("partner_datasets", "reconciliation.PartnerDataset", "", None, None),
    LakeTable("partner_records", "reconciliation.PartnerRecord", "", None, None),
)

_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
)


def arrow_type(field: models.Field) -> pa.DataType:
    """The Arrow type holding `field`'s stored value exactly."""
    if isinstance(field, models.ForeignKey):
        return pa.int64()
    if isinstance(field, models.BooleanField):
        return pa.bool_()
    if isinstance(field, _INTEGERS):
        return pa.int64()  # KilogramField and MassFractionField are integers (mg, ppb)
    if isinstance(field, models.DecimalField):
        return pa.decimal128(field.max_digits, field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return pa.timestamp("us", tz="UTC")
    if isinstance(field, models.DateField):
        return pa.date32()
    if isinstance(field, models.FloatField):
        return pa.float64()
    return pa.string()  # text, choices, JSON as stored text


def columns(table: LakeTable) -> list[models.Field]:
    return [f for f in table.django_model()._meta.concrete_fields if f.column]


def arrow_schema(table: LakeTable) -> pa.Schema:
    return pa.schema([pa.field(f.column, arrow_type(f)) for f in columns(table)])
