"""Builders for export-control tests: a magnet lot with Dy, an application, a licence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.services.applications import application_create, document_add
from reetrace.exportcontrol.services.vetting import exporter_vet
from reetrace.exportcontrol.services.workflow import Approval, application_transition
from reetrace.registry.models import EnterpriseRoleGrant
from tests.factories.world import World, at, code

CST = ZoneInfo("Asia/Shanghai")
DY_MAGNET = {"Nd": "0.29", "Dy": "0.021"}


def cst(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CST)


def magnet_lot(world: World, n: int = 50, *, kg: str = "1000", composition=None) -> str:
    """The magnet maker imports a sintered NdFeB lot (Dy 2.1 wt%) it can export."""
    world.capture(
        world.magnet_maker,
        {
            "event_id": f"imp-{n}",
            "kind": "import",
            "event_time": at(3, 1),
            "customs_declaration": f"CDI-{n}",
            "origin_country": "JP",
            "lot": {
                "code": code(n),
                "product": "MAGNET-NDFEB-SINTERED",
                "mass": kg,
                "composition": composition or DY_MAGNET,
            },
        },
    )
    return code(n)


def application_body(world: World, **changes) -> dict:
    body = {
        "consignee": {"name": "Motoren GmbH", "country": "DE"},
        "end_user": {"name": "Motoren GmbH", "country": "DE"},
        "end_use": "traction motors for passenger cars",
        "destination": "DE",
        "contract_number": "C-2025-001",
        "items": [
            {
                "product": "MAGNET-NDFEB-SINTERED",
                "composition": DY_MAGNET,
                "mass": "500",
                "value": "60000",
                "currency": "USD",
            }
        ],
    }
    return body | changes


def documents_upload(world: World, application, kinds=REQUIRED_DOCUMENTS) -> None:
    user = world.user_for(world.magnet_maker)
    for kind in kinds:
        document_add(
            actor=user,
            application=application,
            kind=kind,
            filename=f"{kind}.pdf",
            content=f"%PDF {kind}".encode(),
        )


def walk(world: World, application, steps: list[tuple[str, datetime]], **kw):
    """Apply actions in order, each by the applicant or the licensing officer."""
    applicant = world.user_for(world.magnet_maker)
    officer = world.users["licensing_officer"]
    for action, when in steps:
        actor = applicant if action in ("submit", "resubmit", "withdraw") else officer
        application = application_transition(
            actor=actor, application=application, action=action, now=when, **kw
        )
    return application


def vet(world: World, enterprise=None, *, since=date(2025, 1, 1), until=None):
    """The licensing officer vets the magnet maker (or `enterprise`) for general licences."""
    return exporter_vet(
        actor=world.users["licensing_officer"],
        enterprise=(enterprise or world.magnet_maker).identifier,
        since=since,
        until=until,
        basis="audited internal compliance programme",
    )


def licensed(world: World, *, kind: str = "individual", kg: str = "500", **approval):
    """An approved application of the magnet maker and its licence (issued 2025-05-06);
    for a general licence the magnet maker is vetted first."""
    EnterpriseRoleGrant.objects.get_or_create(enterprise=world.magnet_maker, role="exporter")
    if kind == "general":
        vet(world)
    body = application_body(world, kind=kind)
    body["items"][0]["mass"] = kg
    application = application_create(
        actor=world.user_for(world.magnet_maker), data=body, now=cst(2025, 4, 20)
    )
    documents_upload(world, application)
    application = walk(
        world,
        application,
        [
            ("submit", cst(2025, 4, 21)),
            ("accept", cst(2025, 4, 22)),
            ("start_review", cst(2025, 4, 23)),
        ],
    )
    application = application_transition(
        actor=world.users["licensing_officer"],
        application=application,
        action="approve",
        now=cst(2025, 5, 6),
        approval=Approval(**approval),
    )
    return application, application.licence


def export(n: int, lot: str, kg: str, *, licence: str = "", day=(6, 2), **changes) -> dict:
    event = {
        "event_id": f"x-{n}",
        "kind": "export",
        "event_time": at(*day),
        "lot": lot,
        "mass": kg,
        "customs_declaration": f"CD-{n}",
        "hs_code": "8505111000",
        "destination": "DE",
        "consignee": "Motoren GmbH",
        "end_user": "Motoren GmbH",
        "licence": licence,
        "fob_value": "1000",
        "currency": "USD",
    }
    return event | changes


def now() -> datetime:
    return timezone.now()


class Frozen:
    """`timezone.now()` pinned to a moment the test may move: the statutory clock depends
    on today, and the official calendar only covers the years published so far, so a
    test that reads the real date would change its answer with the calendar year."""

    def __init__(self, monkeypatch, moment: datetime):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)


def reviewed(
    world: World, n: int, *, accepted: date, on: date | None = None, action="approve", kg="500"
):
    """An application of the magnet maker accepted on `accepted`, then under review until
    the officer's `action` on `on` (None: still under review)."""
    EnterpriseRoleGrant.objects.get_or_create(enterprise=world.magnet_maker, role="exporter")
    body = application_body(world, contract_number=f"C-DECIDED-{n}")
    body["items"][0]["mass"] = kg
    day_before = accepted - timedelta(days=1)
    application = application_create(
        actor=world.user_for(world.magnet_maker),
        data=body,
        now=cst(day_before.year, day_before.month, day_before.day),
    )
    documents_upload(world, application)
    steps = [
        ("submit", cst(day_before.year, day_before.month, day_before.day, 11)),
        ("accept", cst(accepted.year, accepted.month, accepted.day)),
        ("start_review", cst(accepted.year, accepted.month, accepted.day, 11)),
    ]
    if on is not None:
        steps.append((action, cst(on.year, on.month, on.day)))
    return walk(world, application, steps)
