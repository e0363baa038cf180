"""The append-only ledger: events, the lots they create, and the postings they make.

Rows here are inserted, never updated or deleted. A lot's stock is the sum of its
postings; its genealogy is the LotLink graph; a correction appends reversing
postings and points at the event it corrects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.core.quantities import KilogramField, MassFractionField
from reetrace.ledger.choices import (
    AdjustReason,
    Bucket,
    CorrectionAction,
    EventKind,
    Flow,
    Process,
)
from reetrace.registry.models import Enterprise, Product, Quota, Site


class Event(models.Model):
    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    # Looked up through the (reporter, period) index below; a second index costs every insert.
    reporter = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    event_time = models.DateTimeField(_("event time"))
    utc_offset_minutes = models.SmallIntegerField(_("UTC offset, minutes"))
    period = models.DateField(_("reporting month"), help_text=_("first day of the month"))
    recorded_at = models.DateTimeField(_("recorded at"))
    is_late = models.BooleanField(_("late"), default=False)
    payload = models.JSONField(_("canonical content"))
    content_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(
        _("chain hash"),
        max_length=64,
        default="",
        help_text=_("SHA-256 of the previous chain hash, this event and the rows it wrote"),
    )
    seal = models.TextField(
        _("seal"),
        default="",
        help_text=_("a short fingerprint of every row the event wrote, per table and field"),
    )

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "period"]),
            models.Index(fields=["kind", "period"]),
        ]

    def __str__(self) -> str:
        return self.event_id


class ChainHead(models.Model):
    """The newest link of the event hash chain; its row lock serialises chain extension."""

    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)


class Lot(models.Model):
    code = models.CharField(_("lot code"), max_length=20, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="lots_made")
    site = models.ForeignKey(Site, null=True, on_delete=models.PROTECT, related_name="+")
    mass_kg = KilogramField(_("mass made, kg"))
    created_by = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="lots_created")
    external_ref = models.CharField(_("enterprise batch number"), max_length=64, blank=True)

    def __str__(self) -> str:
        return self.code

    def composition(self) -> dict:
        """The rare earths' mass fractions as metal (what conservation and REO count)."""
        return {row.element: row.fraction for row in self.elements.all()}

    def full_composition(self) -> dict:
        """Every declared constituent: the rare earths and the others (Fe, B, Co...)."""
        others = {row.element: row.fraction for row in self.constituents.all()}
        return dict(sorted((self.composition() | others).items()))


class LotElement(models.Model):
    # The (lot, element) unique constraint is the index.
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="elements", db_index=False)
    element = models.CharField(max_length=2)
    fraction = MassFractionField(_("mass fraction (as metal)"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "element"], name="uniq_lot_element")]


class LotConstituent(models.Model):
    """A constituent of a lot that is not a rare earth (Co of an Sm-Co magnet, Fe and B
    of NdFeB): recorded as declared, outside conservation, REO and quotas, which the
    rare earths in `LotElement` carry."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="constituents")
    element = models.CharField(max_length=3)
    fraction = MassFractionField(_("mass fraction"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "element"], name="uniq_lot_constituent")
        ]


class Origin(models.Model):
    """Where material enters the chain: a mine under quota, an import, or recycling."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="origin")
    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="origin")
    quota = models.ForeignKey(Quota, null=True, on_delete=models.PROTECT, related_name="origins")
    customs_declaration = models.CharField(max_length=64, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    source = models.CharField(_("declared source"), max_length=200, blank=True)


class Transformation(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="transformation")
    process = models.CharField(max_length=16, choices=Process.choices)
    quota = models.ForeignKey(
        Quota, null=True, on_delete=models.PROTECT, related_name="transformations"
    )


class Shipment(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="shipment")
    seller = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="sales")
    buyer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="purchases")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="shipments")
    kg = KilogramField(_("kg shipped"))
    unit_price = models.DecimalField(_("unit price per kg"), max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    contract = models.CharField(_("contract / invoice number"), max_length=64)


class Receipt(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="receipt")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="receipts")
    kg = KilogramField(_("kg received"))


class ExportDeclaration(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="export")
    exporter = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="exports")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="exports")
    kg = KilogramField(_("kg exported"))
    customs_declaration = models.CharField(max_length=64)
    hs_code = models.CharField(max_length=10)
    destination = models.CharField(max_length=2)
    consignee = models.CharField(max_length=200)
    end_user = models.CharField(max_length=200)
    licence_number = models.CharField(max_length=64, blank=True)
    fob_value = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)


class Adjustment(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="adjustment")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="adjustments")
    kg = KilogramField(_("kg change (signed)"))
    reason = models.CharField(max_length=16, choices=AdjustReason.choices)
    note = models.CharField(max_length=300, blank=True)


class Correction(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="correction")
    corrected = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="corrected_by")
    action = models.CharField(max_length=8, choices=CorrectionAction.choices)
    reason = models.CharField(max_length=300)


class Posting(models.Model):
    """A signed mass movement of one lot for one holder; stock = sum of postings."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="postings")
    # Indexed by (lot, holder) and (holder, period) below.
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="postings", db_index=False)
    holder = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    bucket = models.CharField(max_length=1, choices=Bucket.choices)
    flow = models.CharField(max_length=16, choices=Flow.choices)
    shipment = models.ForeignKey(Shipment, null=True, on_delete=models.PROTECT, related_name="+")
    kg = KilogramField()
    period = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["lot", "holder"]),
            models.Index(fields=["holder", "period"]),
        ]


class LotLink(models.Model):
    """A genealogy edge: part of `parent` went into `child` in a transformation."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="links")
    # Indexed by (child, parent) and (parent, child) below.
    parent = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="child_links", db_index=False
    )
    child = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="parent_links", db_index=False
    )
    kg = KilogramField(_("kg of the child attributed to the parent"))
    reo_kg = models.JSONField(_("REO kg per element attributed to the parent"))

    class Meta:
        indexes = [
            models.Index(fields=["child", "parent"]),
            models.Index(fields=["parent", "child"]),
        ]


class MonthlyFlow(models.Model):
    """Metal per holder, month, bucket, flow and element: the postings summed at capture.

    A year's mass balance would otherwise join every posting to its lot's
    composition; this summary has a few rows per enterprise-month instead.
    `ledger/monthly.py` adds each batch's postings to it in the capture
    transaction, so it is always the sum of the postings (a reversal subtracts
    exactly what its original added). It is the one ledger table whose rows are
    updated: it holds no facts of its own and can be rebuilt from the postings.
    Metal is integer micrograms (exact sums on both databases).
    """

    holder = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    period = models.DateField()
    bucket = models.CharField(max_length=1, choices=Bucket.choices)
    flow = models.CharField(max_length=16, choices=Flow.choices)
    element = models.CharField(max_length=2)
    metal_ug = models.BigIntegerField(_("metal, micrograms"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "period", "bucket", "flow", "element"], name="uniq_monthly_flow"
            )
        ]


class MonthlyMovement(models.Model):
    """REO of an element moved per month along the chain (`ledger/movements.py`): from
    lots made by one kind of event (mine, import, recycle, transform) in one product
    form, into another product form (`link`), to a buyer (`sale`, target its
    identifier) or to a destination abroad (`export`). What the national overview
    draws; capture moves it with the rows it sums, verify_chain re-derives it.
    REO is integer micrograms."""

    element = models.CharField(max_length=2)
    period = models.DateField()
    route = models.CharField(max_length=8)
    source_kind = models.CharField(max_length=16)
    source_form = models.CharField(max_length=32)
    target = models.CharField(max_length=32)
    reo_ug = models.BigIntegerField(_("REO, micrograms"))

    class Meta:
        constraints = [
            # element and period first: the overview reads one element over a run of months
            models.UniqueConstraint(
                fields=["element", "period", "route", "source_kind", "source_form", "target"],
                name="uniq_monthly_movement",
            )
        ]


class MonthlyExport(models.Model):
    """kg of the export declarations in force per month, destination, HS code and
    exporter (`ledger/monthly_exports.py`): what the export statistics read; capture
    moves it with the declarations it sums, verify_chain re-derives it."""

    period = models.DateField()
    destination = models.CharField(max_length=2)
    hs_code = models.CharField(max_length=10)
    exporter = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kg = KilogramField(_("kg exported"))

    class Meta:
        constraints = [
            # period first: the statistics read a run of months
            models.UniqueConstraint(
                fields=["period", "destination", "hs_code", "exporter"],
                name="uniq_monthly_export",
            )
        ]


class QuotaDraw(models.Model):
    """Metal per quota, element and source (mining origins, separation inputs) drawn on
    the quota by the events in force (`ledger/quota_draws.py`): what the quota table
    shows; capture moves it with the rows it sums, verify_chain re-derives it. Metal is
    integer micrograms (negative for separation: consumed postings)."""

    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="+", db_index=False)
    element = models.CharField(max_length=2)
    source = models.CharField(max_length=16)
    metal_ug = models.BigIntegerField(_("metal, micrograms"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quota", "element", "source"], name="uniq_quota_draw")
        ]


class Checkpoint(models.Model):
    """A signed chain head (`ledger/checkpoints.py`); the signed file kept elsewhere is the proof,
    this row lets the public verification page show the newest."""

    position = models.BigIntegerField(_("chain position"))
    event_id = models.CharField(_("event id"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64)
    signed_at = models.CharField(_("signed at"), max_length=40)
    public_key = models.CharField(_("Ed25519 public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)
