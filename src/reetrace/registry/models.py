"""Who is in the chain (enterprises, groups, sites), what they handle (products) and
how much the state lets them mine and separate (quotas)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from reetrace.registry.choices import (
    EnterpriseRole,
    EnterpriseStatus,
    ProductForm,
    QuotaKind,
    SiteKind,
)


class EnterpriseGroup(models.Model):
    """A state group holding quotas for its members (e.g. CREG, CNRE)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    def __str__(self) -> str:
        return self.name_en


class Enterprise(models.Model):
    """A party of the chain: a Chinese enterprise by its USCC, a foreign one by country + id."""

    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=64, blank=True)
    group = models.ForeignKey(
        EnterpriseGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.ACTIVE,
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en or self.name_zh or self.identifier

    @property
    def is_domestic(self) -> bool:
        return self.country == "CN"

    def role_set(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles.all())


class EnterpriseRoleGrant(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=EnterpriseRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "role"], name="uniq_enterprise_role")
        ]


class Site(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(_("site code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices)
    province = models.CharField(_("province"), max_length=64, blank=True)

    def __str__(self) -> str:
        return self.code


class Product(models.Model):
    """A catalogue entry: what a lot is (form) and how customs classifies it (HS code)."""

    code = models.CharField(_("product code"), max_length=64, unique=True)
    form = models.CharField(_("form"), max_length=32, choices=ProductForm.choices)
    hs_code = models.CharField(_("HS code"), max_length=10)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Quota(models.Model):
    """An annual total-volume-control quota in tonnes REO, light and medium/heavy."""

    code = models.CharField(_("quota code"), max_length=64, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="quotas")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=QuotaKind.choices)
    light_t = models.DecimalField(_("light REE, t REO"), max_digits=12, decimal_places=3)
    medium_heavy_t = models.DecimalField(
        _("medium/heavy REE, t REO"), max_digits=12, decimal_places=3
    )
    document = models.CharField(_("issuing document"), max_length=200)

    class Meta:
        ordering = ["year", "code"]

    def __str__(self) -> str:
        return self.code
