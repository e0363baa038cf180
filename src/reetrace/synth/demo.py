"""Demo logins: one user per role, enterprise users bound to enterprises of the dataset.

Passwords are known on purpose (printed by `reetrace demo`); this is for a
demonstration database only. Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.registry.choices import EnterpriseRole
from reetrace.registry.models import Enterprise

DEMO_PASSWORD = "reetrace-demo-2025"
NATIONAL_DEMO_USERS = [
    ("demo-regulator", UserRole.REGULATOR),
    ("demo-licensing", UserRole.LICENSING_OFFICER),
    ("demo-customs", UserRole.CUSTOMS_OFFICER),
    ("demo-partner", UserRole.PARTNER),
    ("demo-auditor", UserRole.AUDITOR),
    ("demo-admin", UserRole.ADMIN),
]
ENTERPRISE_DEMO_USERS = [
    ("demo-magnets", EnterpriseRole.MAGNET_MAKER),
    ("demo-separator", EnterpriseRole.SEPARATOR),
    ("demo-miner", EnterpriseRole.MINER),
]


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    enterprise: str


def _enterprise_with(role: str) -> Enterprise | None:
    """The first enterprise (by identifier) with the role; magnet makers that export first."""
    found = Enterprise.objects.filter(roles__role=role).order_by("identifier")
    if role == EnterpriseRole.MAGNET_MAKER:
        exporting = found.filter(
            pk__in=Enterprise.objects.filter(roles__role=EnterpriseRole.EXPORTER).values("pk")
        )
        return exporting.first() or found.first()
    return found.first()


def _user(username: str, role: str, enterprise: Enterprise | None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, enterprise=enterprise)
        if role == UserRole.PARTNER:
            user.partner_country = "DE"
        if role == UserRole.ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_users() -> list[DemoLogin]:
    logins = []
    for username, role in NATIONAL_DEMO_USERS:
        _user(username, role, None)
        logins.append(DemoLogin(username, DEMO_PASSWORD, role, ""))
    for username, enterprise_role in ENTERPRISE_DEMO_USERS:
        enterprise = _enterprise_with(enterprise_role)
        if enterprise is None:
            continue
        user = _user(username, UserRole.ENTERPRISE, enterprise)
        name = user.enterprise.display_name if user.enterprise else ""
        logins.append(DemoLogin(username, DEMO_PASSWORD, UserRole.ENTERPRISE, name))
    return logins
