"""Enumerations of reconciliation: source formats, weight and value bases, line states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceFormat(models.TextChoices):
    COMEXT = "comext", _("Eurostat Comext bulk CSV")
    COMTRADE = "comtrade", _("UN Comtrade CSV")
    NATIONAL = "national", _("national customs totals CSV")


class WeightBasis(models.TextChoices):
    NET = "net", _("net weight")
    GROSS = "gross", _("gross weight")


class ValueBasis(models.TextChoices):
    CIF = "cif", _("CIF (cost, insurance, freight)")
    FOB = "fob", _("FOB (free on board)")


class LineStatus(models.TextChoices):
    """Where a partner company's order stands on our side."""

    UNMATCHED = "unmatched", _("no licence application found")
    PENDING = "pending", _("application pending")
    REFUSED = "refused", _("application refused")
    WITHDRAWN = "withdrawn", _("application withdrawn")
    LICENSED = "licensed", _("licensed, not yet shipped")
    SHIPPED = "shipped", _("shipped")
    RECEIVED = "received", _("received")
