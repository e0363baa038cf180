"""People and machines that use reetrace: users with one role, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reetrace.accounts.permissions import NATIONAL_ROLES, ROLE_PERMISSIONS, ROLE_REACH, UserRole
from reetrace.core.access import Scope
from reetrace.core.permissions import Permission, Reach
from reetrace.registry.models import Enterprise


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=UserRole.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("the one enterprise an enterprise user acts for"),
    )
    partner_country = models.CharField(
        _("partner country or bloc"), max_length=8, blank=True, help_text=_("for partner analysts")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="enterprise") | models.Q(enterprise__isnull=False),
                name="enterprise_user_has_enterprise",
            )
        ]

    def has_permission(self, permission: Permission) -> bool:
        return self.is_active and permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @property
    def is_national(self) -> bool:
        """Sees every enterprise's data (regulators, officers, auditors, admins)."""
        return self.role in NATIONAL_ROLES

    @property
    def scope(self) -> Scope:
        """Whose rows the user reads and for whom it acts, from its role's reach."""
        reach = ROLE_REACH.get(self.role, frozenset())
        return Scope(
            reach,
            enterprise_id=self.enterprise_id if Reach.OWN_ENTERPRISE in reach else None,
            partner_country=(
                self.partner_country.upper() if Reach.PARTNER_COUNTRY in reach else ""
            ),
        )


class ApiToken(models.Model):
    """A bearer token for machines; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text=_("first characters, to recognise it"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active


class SignInFailure(models.Model):
    """A failed sign-in, counted by `accounts/throttle.py` (kept for the window only)."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["address", "at"])]
