"""Partner statistics as loaded (each load keeps its source, vintage and aggregate
definition, because revised releases and aggregates disagree), the monthly rate
table, and partner enterprise submissions with what they matched on our side."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.core.quantities import KilogramField
from reetrace.exportcontrol.models import Application
from reetrace.reconciliation.choices import SourceFormat, ValueBasis, WeightBasis


class PartnerDataset(models.Model):
    """One load of one partner file; never edited, a revised release is a new dataset."""

    name = models.CharField(_("name"), max_length=200)
    format = models.CharField(_("format"), max_length=16, choices=SourceFormat.choices)
    source = models.CharField(_("publisher / source"), max_length=200)
    vintage = models.DateField(_("vintage (publication date)"))
    aggregate = models.CharField(_("aggregate definition"), max_length=300)
    weight_basis = models.CharField(
        _("default weight basis"), max_length=8, choices=WeightBasis.choices, default="net"
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField(_("rows read"))
    rows_loaded = models.PositiveIntegerField(_("rows loaded"))
    skipped = models.JSONField(_("rows skipped, by reason"), default=dict)
    notes = models.JSONField(_("notes (e.g. codes not in the reference tables)"), default=list)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256", "format", "vintage"], name="uniq_partner_dataset_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.vintage})"


class PartnerRecord(models.Model):
    """One row of a partner file, keyed to HS-6 (or a product group), ISO country, month."""

    dataset = models.ForeignKey(PartnerDataset, on_delete=models.PROTECT, related_name="records")
    line = models.PositiveIntegerField(_("line in the file"))
    reporter = models.CharField(_("reporting country (ISO alpha-2 or EU27)"), max_length=8)
    product_code = models.CharField(_("product code or group as published"), max_length=32)
    hs6 = models.CharField(max_length=6, blank=True)
    group = models.CharField(_("product group"), max_length=32)
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    kg = KilogramField(_("kg as reported"))
    weight_basis = models.CharField(max_length=8, choices=WeightBasis.choices)
    value = models.DecimalField(_("value as reported"), max_digits=20, decimal_places=2)
    currency = models.CharField(max_length=3)
    value_basis = models.CharField(max_length=4, choices=ValueBasis.choices)

    class Meta:
        ordering = ["dataset", "line"]
        indexes = [models.Index(fields=["dataset", "month"])]


class ExchangeRate(models.Model):
    """Monthly average: units of `currency` per US dollar."""

    month = models.DateField(_("month"))
    currency = models.CharField(max_length=3)
    units_per_usd = models.DecimalField(max_digits=14, decimal_places=6)
    approximate = models.BooleanField(_("approximate"), default=False)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "currency"], name="uniq_rate_month_currency")
        ]


class Submission(models.Model):
    """What a partner's companies declared they ordered and received (one upload)."""

    partner_country = models.CharField(_("partner country or bloc"), max_length=8, blank=True)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]


class SubmissionLine(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="lines")
    line = models.PositiveIntegerField()
    importer = models.CharField(max_length=200)
    supplier = models.CharField(max_length=200)
    product = models.CharField(max_length=64)
    kg_ordered = KilogramField()
    kg_received = KilogramField()
    application_reference = models.CharField(max_length=64, blank=True)
    application_date = models.DateField(null=True)
    application = models.ForeignKey(
        Application, null=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_by = models.CharField(_("how the application was matched"), max_length=32)

    class Meta:
        ordering = ["submission", "line"]
