"""Licence applications with their documents and history, licences and their drawdown,
refused export attempts, and the watch lists applicants are screened against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.core.quantities import KilogramField
from reetrace.exportcontrol.choices import (
    ApplicationState,
    DocumentKind,
    LicenceKind,
    ScreenedParty,
)
from reetrace.ledger.models import Event, Lot
from reetrace.registry.models import Enterprise


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=32, unique=True)
    kind = models.CharField(
        _("licence kind"), max_length=16, choices=LicenceKind.choices, default="individual"
    )
    applicant = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="licence_applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=24, choices=ApplicationState.choices, default="draft"
    )
    consignee_name = models.CharField(_("consignee"), max_length=200)
    consignee_country = models.CharField(_("consignee country"), max_length=2)
    end_user_name = models.CharField(_("end user"), max_length=200)
    end_user_country = models.CharField(_("end-user country"), max_length=2)
    end_use = models.CharField(_("end use"), max_length=500)
    destination = models.CharField(_("destination country"), max_length=2)
    contract_number = models.CharField(_("contract number"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("first submitted at"), null=True)
    accepted_on = models.DateField(_("accepted on (China date)"), null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True)
    # Kept at the decision (services/workflow.decision_clocks_store) so the statistics
    # read one column instead of every history; None while the count is provisional.
    decision_working_days = models.PositiveIntegerField(
        _("working days from acceptance to decision"), null=True, blank=True
    )

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["consignee_country"]),
            # the application list's default order, newest first, paged by keyset (without
            # it every page sorted all applications: 51 ms at medium scale)
            models.Index(fields=["created_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    product_code = models.CharField(_("catalogue product"), max_length=64, blank=True)
    form = models.CharField(_("form"), max_length=32)
    composition = models.JSONField(_("mass fractions as metal"))
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kg = KilogramField(_("kg applied for"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    control_codes = models.JSONField(_("control codes matched when applied"), default=list)

    class Meta:
        ordering = ["position"]


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file = models.FileField(upload_to="exportcontrol/%Y/%m/")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()


class Transition(models.Model):
    """One step of an application's history; never edited."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="transitions"
    )
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=24, choices=ApplicationState.choices)
    to_state = models.CharField(max_length=24, choices=ApplicationState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    comment = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Licence(models.Model):
    number = models.CharField(_("licence number"), max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=LicenceKind.choices)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="licence"
    )
    exporter = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="licences")
    consignee_name = models.CharField(max_length=200)
    end_user_name = models.CharField(max_length=200)
    destination = models.CharField(max_length=2)
    valid_from = models.DateField()
    valid_until = models.DateField()
    kg_cap = KilogramField(_("kg cap (general licences)"), null=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    retroactive_reason = models.TextField(
        _("why the licence is valid before its decision"), blank=True
    )
    retroactive_exports = models.JSONField(
        _("exports made before the decision that it covers (event ids)"), default=list
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class LicenceItem(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    form = models.CharField(max_length=32)
    elements = models.JSONField(_("controlled elements"))
    control_codes = models.JSONField()
    kg = KilogramField(_("kg licensed"))

    class Meta:
        ordering = ["position"]


class Drawdown(models.Model):
    """Kg of a licence used by one export event, written with the event."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="drawdown")
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="drawdowns")
    item = models.ForeignKey(
        LicenceItem, null=True, on_delete=models.PROTECT, related_name="drawdowns"
    )
    kg = KilogramField()


class RefusedExport(models.Model):
    """An export the ledger refused, kept (in its own transaction) for customs."""

    event_id = models.CharField(max_length=64)
    exporter = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    lot = models.CharField(max_length=32)
    mass = models.CharField(_("mass as declared"), max_length=64)
    destination = models.CharField(max_length=8)
    consignee = models.CharField(max_length=200)
    end_user = models.CharField(max_length=200)
    licence_cited = models.CharField(max_length=64, blank=True)
    reason = models.TextField()
    codes = models.JSONField(default=list)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]


class WatchListEntry(models.Model):
    list_name = models.CharField(_("list"), max_length=100)
    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list)
    country = models.CharField(max_length=2, blank=True)
    listed_since = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["list_name", "name", "country"], name="uniq_watchlist_entry"
            )
        ]


class Ownership(models.Model):
    """`owner` (a listed party) holds `percent` of `owned_name` (the 50% rule)."""

    owner = models.ForeignKey(WatchListEntry, on_delete=models.CASCADE, related_name="holdings")
    owned_name = models.CharField(max_length=300)
    owned_country = models.CharField(max_length=2, blank=True)
    percent = models.DecimalField(max_digits=6, decimal_places=3)


class ScreeningHit(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="screening_hits"
    )
    party = models.CharField(max_length=16, choices=ScreenedParty.choices)
    screened_name = models.CharField(max_length=300)
    entry = models.ForeignKey(WatchListEntry, on_delete=models.PROTECT, related_name="+")
    matched_name = models.CharField(max_length=300)
    score = models.PositiveSmallIntegerField()
    via = models.CharField(max_length=200)
    at = models.DateTimeField()


class VettedExporter(models.Model):
    """An exporter the ministry has vetted for general licences over a period.

    Rows are data an officer controls (vet, revoke), never deleted: a revoked vetting
    keeps who revoked it and when, so a refused general licence can say why."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="vettings", verbose_name=_("exporter")
    )
    since = models.DateField(_("vetted since"))
    until = models.DateField(_("vetted until"), null=True, blank=True)
    basis = models.CharField(_("basis of the vetting"), max_length=500)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vetted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    class Meta:
        ordering = ["-since", "-pk"]
        indexes = [models.Index(fields=["enterprise", "since"])]


class WorkingDaySchedule(models.Model):
    """A year's official holidays and adjusted working days as loaded by the licensing
    administrator (exportcontrol/schedule.py), for a year chinesecalendar lacks."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    authority = models.CharField(_("authority"), max_length=200)
    notice = models.CharField(_("notice"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    issued = models.DateField(_("issued"))
    sources = models.JSONField(_("sources"), default=list)
    sha256 = models.CharField(_("file SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year"]


class ScheduleDay(models.Model):
    """One day the schedule changes: a holiday (off) or an adjusted working day."""

    schedule = models.ForeignKey(WorkingDaySchedule, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"), unique=True)
    working = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=100)

    class Meta:
        ordering = ["day"]
