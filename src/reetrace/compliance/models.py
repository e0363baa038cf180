"""Findings and the work on them: detection runs, alerts, their history, and cases.

Alerts are never deleted: a dismissed alert stays, with the reason, for auditors.
Each alert has a fingerprint (rule + what it is about), unique, so that running
detection again over the same ledger never adds a second copy of a finding.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.compliance.choices import (
    AlertAction,
    AlertStatus,
    CaseAction,
    CaseStatus,
    RunStatus,
    Severity,
)
from reetrace.core.quantities import KilogramField
from reetrace.registry.models import Enterprise


class DetectionRun(models.Model):
    """One execution of some rules over a period range: the background job's record."""

    rules = models.JSONField(_("rules"), default=list)
    start = models.DateField(_("first month"), null=True, blank=True)
    end = models.DateField(_("last month"), null=True, blank=True)
    as_of = models.DateTimeField(_("as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("findings per rule"), default=dict)
    log = models.TextField(_("log"), blank=True)
    full = models.BooleanField(
        _("full"), default=False, help_text=_("judge every month, not only those of new events")
    )
    last_event_pk = models.BigIntegerField(
        _("highest event pk seen"), null=True, blank=True, help_text=_("the run's watermark")
    )
    last_recorded_at = models.DateTimeField(
        _("latest event recorded_at seen"), null=True, blank=True
    )
    sources = models.JSONField(
        _("highest pk of the other tables read"), default=dict, help_text=_("customs, prices")
    )
    periods = models.JSONField(
        _("months judged per rule"), default=dict, help_text=_('"all" or a list of YYYY-MM')
    )

    class Meta:
        ordering = ["-created_at", "-pk"]


class Alert(models.Model):
    """A finding of one rule about one enterprise and month, with its evidence."""

    rule = models.CharField(_("rule"), max_length=32)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="alerts")
    period = models.DateField(_("month"), help_text=_("first day of the month"))
    elements = models.JSONField(_("elements"), default=list)
    figures = models.JSONField(
        _("figures"), default=dict, help_text=_("expected, observed, tolerance, unit and more")
    )
    lots = models.JSONField(_("lot codes"), default=list)
    events = models.JSONField(_("event ids"), default=list)
    explanation = models.TextField(_("explanation"))
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW
    )
    status_reason = models.TextField(_("reason of the last status change"), blank=True)
    shared_with_enterprise = models.BooleanField(_("shared with the enterprise"), default=False)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    run = models.ForeignKey(
        DetectionRun, null=True, on_delete=models.PROTECT, related_name="alerts"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "rule", "pk"]
        indexes = [
            models.Index(fields=["enterprise", "period"]),
            models.Index(fields=["rule", "period"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.enterprise_id} {self.period:%Y-%m}"


class AlertStatusChange(models.Model):
    """One step of an alert's history: who changed its status or shared it, when, why."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(
        max_length=16, choices=AlertAction.choices, default=AlertAction.STATUS
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(max_length=16, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=16, choices=AlertStatus.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Case(models.Model):
    """An investigation opened from one or more alerts and closed with an outcome."""

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    alerts = models.ManyToManyField(Alert, through="CaseAlert", related_name="cases")
    hold_disclosure = models.BooleanField(
        _("delay disclosure of government reads"),
        default=False,
        help_text=_(
            "while the case is open, the enterprises it concerns do not see the government "
            "reads of their data made since it was opened"
        ),
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]


class CaseAlert(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "alert"], name="uniq_case_alert")]


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class CaseAttachment(models.Model):
    """A file kept under MEDIA_ROOT; its SHA-256 lets an auditor prove it is unchanged."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="compliance/cases/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("bytes"))

    class Meta:
        ordering = ["uploaded_at", "pk"]


class CaseStep(models.Model):
    """The case's journal: every action with who and when (opened, assigned, noted...)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=16, choices=CaseAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]


class ReferencePrice(models.Model):
    """A dated market price in CNY per kg of an element in a form (oxide, metal)."""

    element = models.CharField(_("element"), max_length=2)
    form = models.CharField(_("form"), max_length=16)
    valid_from = models.DateField(_("valid from"))
    cny_per_kg = models.DecimalField(_("CNY per kg of the form"), max_digits=14, decimal_places=3)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["element", "form", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["element", "form", "valid_from"], name="uniq_reference_price"
            )
        ]


class CustomsDeclaration(models.Model):
    """A customs record (China Customs' side of a border crossing), imported from CSV.

    The ledger's import origins and export declarations cite a declaration number;
    these rows are what customs itself recorded under that number, so the checks can
    compare the two. `arrival_country` is the country of arrival (运抵国) customs took
    from the transport documents of an export; it may differ from the declared
    destination when goods are diverted.
    """

    class Flow(models.TextChoices):
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    number = models.CharField(_("declaration number"), max_length=64, unique=True)
    flow = models.CharField(_("flow"), max_length=8, choices=Flow.choices)
    declarant = models.CharField(
        _("declarant identifier"), max_length=64, help_text=_("USCC of the declaring enterprise")
    )
    country = models.CharField(
        _("country"), max_length=2, help_text=_("origin of an import, declared destination")
    )
    arrival_country = models.CharField(_("country of arrival"), max_length=2, blank=True)
    consignee = models.CharField(_("consignee"), max_length=200, blank=True)
    product = models.CharField(_("product"), max_length=64, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    kg = KilogramField(_("kg declared"))
    date = models.DateField(_("declaration date"))
    fob_usd = models.DecimalField(
        _("FOB value, USD"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("imported from"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "number"]
        indexes = [models.Index(fields=["flow", "date"]), models.Index(fields=["declarant"])]

    def __str__(self) -> str:
        return self.number
