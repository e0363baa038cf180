"""A small registered chain that most tests start from, and helpers to write events.

The chain: a miner under a mining quota, a separator under a separation quota,
a metal maker, a magnet maker that also exports, a domestic user and a foreign
buyer; one user per role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.accounts.tokens import token_issue
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.codes import lot_code_from_number
from reetrace.registry.models import Enterprise, Quota
from tests.factories.accounts import UserFactory
from tests.factories.registry import EnterpriseFactory, QuotaFactory, SiteFactory

CST = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int = 1, hour: int = 9, year: int = 2025) -> str:
    return datetime(year, month, day, hour, tzinfo=CST).isoformat()


def code(n: int) -> str:
    return lot_code_from_number(n)


@dataclass
class World:
    miner: Enterprise
    separator: Enterprise
    metal_maker: Enterprise
    magnet_maker: Enterprise
    user_firm: Enterprise
    buyer_abroad: Enterprise
    mining_quota: Quota
    separation_quota: Quota
    users: dict[str, User] = field(default_factory=dict)

    def user_for(self, enterprise: Enterprise) -> User:
        return User.objects.get(enterprise=enterprise)

    def capture(self, enterprise: Enterprise, *events: dict):
        return batch_capture(actor=self.user_for(enterprise), items=list(events))

    def client(self, role_or_enterprise) -> Client:
        """An API client with a bearer token for a role name or an enterprise's user."""
        user = (
            self.user_for(role_or_enterprise)
            if isinstance(role_or_enterprise, Enterprise)
            else self.users[role_or_enterprise]
        )
        _, raw = token_issue(user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})


def build_world() -> World:
    miner = EnterpriseFactory(name_en="Baotou Mining", roles=["miner"])
    separator = EnterpriseFactory(name_en="Baotou Separation", roles=["separator"])
    metal = EnterpriseFactory(name_en="Ganzhou Metals", roles=["metal_maker"])
    magnets = EnterpriseFactory(name_en="Ningbo Magnets", roles=["magnet_maker", "exporter"])
    user_firm = EnterpriseFactory(name_en="Motor Works", roles=["domestic_user"])
    abroad = EnterpriseFactory(
        identifier="DE:HRB-12345", country="DE", name_en="Motoren GmbH", roles=["foreign_buyer"]
    )
    SiteFactory(enterprise=miner, code="MINE-BAYAN-OBO", kind="mine")
    world = World(
        miner,
        separator,
        metal,
        magnets,
        user_firm,
        abroad,
        QuotaFactory(code="Q-2025-MINING-1", enterprise=miner, kind="mining"),
        QuotaFactory(code="Q-2025-SEP-1", enterprise=separator, kind="separation"),
    )
    for firm in (miner, separator, metal, magnets, user_firm):
        UserFactory(
            username=f"user-{firm.name_en.split()[1].lower()}", role="enterprise", enterprise=firm
        )
    for role in UserRole:
        if role != UserRole.ENTERPRISE:
            world.users[role] = UserFactory(username=f"{role}-user", role=role)
    world.users[UserRole.ENTERPRISE] = world.user_for(magnets)
    return world


ORE_COMPOSITION = {"La": "0.0150", "Ce": "0.0250", "Pr": "0.0025", "Nd": "0.0080", "Dy": "0.0005"}


def mine_event(n: int, *, kg: str = "100000", month: int = 1, lot: int | None = None) -> dict:
    return {
        "event_id": f"mine-{n}",
        "kind": "mine",
        "event_time": at(month, 2),
        "quota": "Q-2025-MINING-1",
        "lot": {
            "code": code(lot or n),
            "product": "ORE-BASTNAESITE",
            "mass": kg,
            "composition": ORE_COMPOSITION,
            "site": "MINE-BAYAN-OBO",
        },
    }


def ship_event(
    event_id: str, lot: int, kg: str, buyer: Enterprise, *, month: int = 1, price: str = "10.00"
) -> dict:
    return {
        "event_id": event_id,
        "kind": "ship",
        "event_time": at(month, 5),
        "lot": code(lot),
        "mass": kg,
        "buyer": buyer.identifier,
        "unit_price": price,
        "currency": "CNY",
        "contract": f"C-{event_id}",
    }


def receive_event(event_id: str, shipment: str, kg: str, *, month: int = 1) -> dict:
    return {
        "event_id": event_id,
        "kind": "receive",
        "event_time": at(month, 7),
        "shipment": shipment,
        "mass": kg,
    }


def decimal(value: str) -> Decimal:
    return Decimal(value)
