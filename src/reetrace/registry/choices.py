from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseRole(models.TextChoices):
    """What an enterprise does in the chain; decides which events it may report."""

    MINER = "miner", _("miner")
    SEPARATOR = "separator", _("separator")
    METAL_MAKER = "metal_maker", _("metal maker")
    MAGNET_MAKER = "magnet_maker", _("magnet maker")
    TRADER = "trader", _("trader")
    EXPORTER = "exporter", _("exporter")
    RECYCLER = "recycler", _("recycler")
    DOMESTIC_USER = "domestic_user", _("domestic user")
    FOREIGN_BUYER = "foreign_buyer", _("foreign buyer")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")


class ProductForm(models.TextChoices):
    ORE = "ore", _("ore / concentrate")
    MIXED_COMPOUND = "mixed_compound", _("mixed compound")
    OXIDE = "oxide", _("oxide")
    METAL = "metal", _("metal")
    ALLOY = "alloy", _("alloy")
    SINTERED_NDFEB = "sintered_ndfeb", _("sintered NdFeB magnet")
    BONDED_NDFEB = "bonded_ndfeb", _("bonded NdFeB magnet")
    SMCO = "smco", _("SmCo magnet")
    SCRAP = "scrap", _("scrap")
    OTHER = "other", _("other")


class QuotaKind(models.TextChoices):
    MINING = "mining", _("mining")
    SEPARATION = "separation", _("smelting-separation")


class SiteKind(models.TextChoices):
    MINE = "mine", _("mine")
    PLANT = "plant", _("plant")
    WAREHOUSE = "warehouse", _("warehouse")
    OFFICE = "office", _("office")
