"""Monthly reports: an enterprise declares a month complete by closing it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.registry.models import Enterprise


class MonthlyReport(models.Model):
    """A closed month; its totals are the ledger's totals as of `closed_at`."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(_("month"), help_text=_("first day of the month"))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    is_late = models.BooleanField(_("closed late"))
    event_count = models.PositiveIntegerField(_("events"))
    totals = models.JSONField(_("kg per flow as of closing"))

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period"], name="uniq_report_month")
        ]
