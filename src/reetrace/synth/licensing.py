"""Licence decisions of the synthetic chain written as export-control rows.

The ledger's export guard refuses a controlled export unless it cites a licence
that exists, covers the exporter, destination, consignee, end user, item and kg.
The synthetic licences are historical decisions, so they are written directly
as approved (or rejected) applications with their licence, not walked through
the officer workflow one click at a time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from reetrace.accounts.models import User
from reetrace.exportcontrol.control_list import control_list
from reetrace.exportcontrol.models import (
    Application,
    ApplicationItem,
    Licence,
    LicenceItem,
    Transition,
)
from reetrace.ledger.models import Lot
from reetrace.registry.models import Enterprise
from reetrace.synth.events import CST
from reetrace.synth.market import FORMS

VALIDITY_DAYS = 365  # exportcontrol/policy.toml individual_validity_days
END_USE = "permanent-magnet motors and electronic components (declared end use)"


def _at(day: str, hour: int) -> datetime:
    moment = date.fromisoformat(day)
    return datetime(moment.year, moment.month, moment.day, hour, tzinfo=CST)


def licence_write(record: dict, actor: User, exporters: dict[str, Enterprise]) -> None:
    """One decision: an application with its item and history, and the licence if issued."""
    exporter = exporters.get(record["applicant"])
    if exporter is None:
        exporter = exporters[record["applicant"]] = Enterprise.objects.get(
            identifier=record["applicant"]
        )
    approved = record["status"] == "issued"
    application = _application(record, actor, exporter, approved)
    if approved:
        _licence(record, actor, exporter, application)


def _application(record: dict, actor: User, exporter: Enterprise, approved: bool) -> Application:
    country = record["country"]
    applied, decided = _at(record["applied_on"], 10), _at(record["decided_on"], 16)
    number = record["number"] if not approved else "APL-" + record["number"].removeprefix("LIC-")
    application = Application.objects.create(
        number=number,
        applicant=exporter,
        created_by=actor,
        state="approved" if approved else "rejected",
        consignee_name=record["consignee"],
        consignee_country=country,
        end_user_name=record["end_user"],
        end_user_country=record["end_user_id"].split(":", 1)[0],
        end_use=END_USE,
        destination=country,
        contract_number=f"SC-{record['number']}",
        created_at=applied,
        submitted_at=applied,
        accepted_on=applied.date() + timedelta(days=2),
        decided_at=decided,
    )
    ApplicationItem.objects.create(
        application=application,
        position=0,
        product_code=record["product"],
        form=FORMS[record["product"]],
        composition=record["composition"],
        lot=Lot.objects.filter(code=record["lot"]).first(),
        kg=Decimal(record["kg"]),
        value=Decimal(0),
        currency="USD",
        control_codes=record["control_codes"],
    )
    Transition.objects.bulk_create(
        [
            Transition(application=application, action="submit", from_state="draft",
                       to_state="submitted", actor=actor, at=applied),
            Transition(application=application, action="approve" if approved else "reject",
                       from_state="under_review", to_state=application.state, actor=actor,
                       at=decided),
        ]
    )  # fmt: skip
    return application


def _licence(record: dict, actor: User, exporter: Enterprise, application: Application) -> None:
    start = date.fromisoformat(record["decided_on"])
    licence = Licence.objects.create(
        number=record["number"],
        kind="individual",
        application=application,
        exporter=exporter,
        consignee_name=record["consignee"],
        end_user_name=record["end_user"],
        destination=record["country"],
        valid_from=start,
        valid_until=start + timedelta(days=VALIDITY_DAYS - 1),
        issued_at=_at(record["decided_on"], 16),
        issued_by=actor,
    )
    listing = control_list()
    elements = sorted(
        {el for c in record["control_codes"] for el in (listing.entry(c).elements or ())}
    )
    LicenceItem.objects.create(
        licence=licence,
        position=0,
        form=FORMS[record["product"]],
        elements=elements,
        control_codes=record["control_codes"],
        kg=Decimal(record["kg"]),
    )


# The steps an open application has been through, by the state it is left in.
_OPEN_PATHS: list[list[tuple[str, str, str]]] = [
    [("submit", "draft", "submitted")],
    [("submit", "draft", "submitted"), ("accept", "submitted", "accepted")],
    [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
     ("start_review", "accepted", "under_review")],
    [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
     ("start_review", "accepted", "under_review"),
     ("request_information", "under_review", "information_requested")],
]  # fmt: skip


def backlog_write(records: list[dict], actor: User, exporters: dict[str, Enterprise]) -> int:
    """Applications still open at the dataset's end, so the licensing desk has a queue.

    They repeat recent issued requests (same exporter, buyer and goods) filed in the
    last weeks of the year and left at each open step of the workflow.
    """
    for n, record in enumerate(records):
        exporter = exporters.get(record["applicant"]) or Enterprise.objects.get(
            identifier=record["applicant"]
        )
        path = _OPEN_PATHS[n % len(_OPEN_PATHS)]
        filed = date.fromisoformat(record["decided_on"]).replace(month=12, day=1 + n % 20)
        applied = _at(filed.isoformat(), 10)
        application = Application.objects.create(
            number=f"APP-OPEN-{n + 1:04d}", applicant=exporter, created_by=actor,
            state=path[-1][2], consignee_name=record["consignee"],
            consignee_country=record["country"], end_user_name=record["end_user"],
            end_user_country=record["end_user_id"].split(":", 1)[0], end_use=END_USE,
            destination=record["country"], contract_number=f"SC-OPEN-{n + 1:04d}",
            created_at=applied, submitted_at=applied,
            accepted_on=filed + timedelta(days=2) if len(path) > 1 else None,
        )  # fmt: skip
        ApplicationItem.objects.create(
            application=application, position=0, product_code=record["product"],
            form=FORMS[record["product"]], composition=record["composition"],
            kg=Decimal(record["kg"]), value=Decimal(0), currency="USD",
            control_codes=record["control_codes"],
        )  # fmt: skip
        Transition.objects.bulk_create(
            Transition(application=application, action=action, from_state=source,
                       to_state=target, actor=actor, at=applied + timedelta(days=2 * step))
            for step, (action, source, target) in enumerate(path)
        )  # fmt: skip
    return len(records)
