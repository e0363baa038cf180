"""Reads of users for other apps' pages."""

from __future__ import annotations

from reetrace.accounts.models import User
from reetrace.core.permissions import Permission

__all__ = ["analysts"]


def analysts() -> list[User]:
    """Users a case can be assigned to: active national users who may work compliance cases."""
    users = User.objects.filter(is_active=True, enterprise__isnull=True).order_by("username")
    return [u for u in users if u.has_permission(Permission.COMPLIANCE_CASE_MANAGE)]
