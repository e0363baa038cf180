from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """The chain-of-custody event types; an event is never edited, only corrected."""

    MINE = "mine", _("mining origin")
    IMPORT = "import", _("import origin")
    RECYCLE = "recycle", _("recycling origin")
    TRANSFORM = "transform", _("transformation")
    SHIP = "ship", _("shipment")
    RECEIVE = "receive", _("receipt")
    EXPORT = "export", _("export")
    ADJUST = "adjust", _("stock adjustment")
    CORRECT = "correct", _("correction")


ORIGIN_KINDS = frozenset({EventKind.MINE, EventKind.IMPORT, EventKind.RECYCLE})
LOT_CREATING_KINDS = ORIGIN_KINDS | {EventKind.TRANSFORM}
REPLACEABLE_KINDS = frozenset(
    {EventKind.SHIP, EventKind.RECEIVE, EventKind.EXPORT, EventKind.ADJUST}
)


class Process(models.TextChoices):
    SEPARATION = "separation", _("smelting-separation")
    REDUCTION = "reduction", _("metal reduction")
    ALLOYING = "alloying", _("alloying")
    MAGNET_MAKING = "magnet_making", _("magnet making")
    RECYCLING = "recycling", _("recycling")
    BLENDING = "blending", _("blending / repacking")


class Bucket(models.TextChoices):
    STOCK = "S", _("stock")
    TRANSIT = "T", _("in transit")


class Flow(models.TextChoices):
    """Why a posting moved mass; the mass balance groups by these."""

    ORIGIN = "origin", _("origin")
    PRODUCED = "produced", _("transformation output")
    CONSUMED = "consumed", _("transformation input")
    SHIPPED = "shipped", _("shipped")
    IN_TRANSIT = "in_transit", _("in transit")
    RECEIVED = "received", _("received")
    EXPORTED = "exported", _("exported")
    ADJUSTED = "adjusted", _("adjusted")


class AdjustReason(models.TextChoices):
    STOCK_COUNT = "stock_count", _("stock count difference")
    PROCESS_LOSS = "process_loss", _("process loss")
    DAMAGE = "damage", _("damage")
    THEFT = "theft", _("theft")
    OTHER = "other", _("other")


class CorrectionAction(models.TextChoices):
    VOID = "void", _("void")
    REPLACE = "replace", _("replace")
