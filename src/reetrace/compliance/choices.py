"""Enumerations of the compliance app: severities, alert, case and run states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How urgent a finding is; `info` is a notice, not a finding (not scored). Quota
    warnings at 90% were notices until they moved to quota use; old ones stay."""

    INFO = "info", _("notice")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class AlertStatus(models.TextChoices):
    NEW = "new", _("new")
    TRIAGED = "triaged", _("triaged")
    IN_CASE = "in_case", _("in a case")
    DISMISSED = "dismissed", _("dismissed")


class AlertAction(models.TextChoices):
    """What an entry of an alert's history records."""

    STATUS = "status", _("status change")
    SHARE = "share", _("shared with the enterprise")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CaseAction(models.TextChoices):
    OPEN = "open", _("opened")
    ASSIGN = "assign", _("assigned")
    ALERT = "alert", _("alert added")
    NOTE = "note", _("note added")
    ATTACH = "attach", _("attachment added")
    CLOSE = "close", _("closed")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class QuotaStatus(models.TextChoices):
    """Where a quota column stands ([quota_usage] `warn_at` and `alert_at`)."""

    OK = "ok", _("within quota")
    WARNING = "warning", _("warning: nearly used")
    OVERRUN = "overrun", _("overrun")
