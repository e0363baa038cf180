from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("government read of confidential data")
    DECISION = "decision", _("decision")
    LOAD = "load", _("list load")
    ACCOUNT = "account", _("user, role or token change")
    SIGN_IN = "sign_in", _("sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("failed sign-in")
