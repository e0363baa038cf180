"""Licence decisions of the synthetic chain written as export-control rows.

The ledger's export guard refuses a controlled export unless it cites a licence
that exists, covers the exporter, destination, consignee, end user, item and kg.
The synthetic licences are historical decisions, so they are written directly
as approved (or rejected) applications with their licence, not walked through
the officer workflow one click at a time; each still gets the history the
workflow would have recorded (submitted, accepted, under review, decided), so
the statutory clock and the applicant's view read them like real ones.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from reetrace.accounts.models import User
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.control_list import control_list
from reetrace.exportcontrol.models import (
    Application,
    ApplicationItem,
    Document,
    Licence,
    LicenceItem,
    Transition,
)
from reetrace.ledger.models import Lot
from reetrace.registry.models import Enterprise
from reetrace.synth.events import CST
from reetrace.synth.market import FORMS
from reetrace.synth.window import month_add

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
        accepted_on=applied.date() + timedelta(days=STEP_DAYS),
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
    _shared_documents(application, actor, applied - timedelta(minutes=30))
    decision = "approve" if approved else "reject"
    path = [*_REVIEWED, (decision, "under_review", application.state)]
    _history(application, actor, path, applied, decided_at=decided)
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


# The workflow's steps up to the officer's review, each two days after the last: the
# applicant submits, the ministry accepts (the clock starts) and starts the review.
_REVIEWED: list[tuple[str, str, str]] = [
    ("submit", "draft", "submitted"),
    ("accept", "submitted", "accepted"),
    ("start_review", "accepted", "under_review"),
]
STEP_DAYS = 2

# The steps an open application has been through, by the state it is left in.
_OPEN_PATHS: list[list[tuple[str, str, str]]] = [
    _REVIEWED[:1],
    _REVIEWED[:2],
    _REVIEWED,
    [*_REVIEWED, ("request_information", "under_review", "information_requested")],
]


def _history(
    application: Application,
    actor: User,
    path: list[tuple[str, str, str]],
    applied: datetime,
    decided_at: datetime | None = None,
) -> None:
    """The transitions of `path`, one every STEP_DAYS from `applied`; a decision (the last
    step of a decided application) at `decided_at`."""
    times = [applied + timedelta(days=STEP_DAYS * step) for step in range(len(path))]
    if decided_at is not None:
        times[-1] = decided_at
    Transition.objects.bulk_create(
        Transition(application=application, action=action, from_state=source,
                   to_state=target, actor=actor, at=at)
        for at, (action, source, target) in zip(times, path, strict=True)
    )  # fmt: skip


def _documents(application: Application, record: dict, actor: User, uploaded: datetime) -> None:
    """The four required documents, as short text files naming the deal, so a submitted
    application is complete and each file's SHA-256 and size are real."""
    for kind in REQUIRED_DOCUMENTS:
        content = (
            f"Synthetic {kind.label} for application {application.number}\n"
            f"exporter {record['applicant']}; consignee {record['consignee']} "
            f"({record['country']}); end user {record['end_user']}\n"
            f"{record['kg']} kg {record['product']}, contract {application.contract_number}\n"
        ).encode()
        _document_add(application, kind, content, actor, uploaded, shared=False)


def _shared_documents(application: Application, actor: User, uploaded: datetime) -> None:
    """The four required documents of a decided application. Thousands of them are
    decided in a synthetic year, so they share one stored file per kind (a real SHA-256
    and size), written once, instead of four files each."""
    for kind in REQUIRED_DOCUMENTS:
        content = f"Synthetic {kind.label}, shared by the decided synthetic applications\n"
        _document_add(application, kind, content.encode(), actor, uploaded, shared=True)


def _document_add(
    application: Application,
    kind: str,
    content: bytes,
    actor: User,
    uploaded: datetime,
    *,
    shared: bool,
) -> None:
    """One document with its SHA-256 and size; a shared one is stored once, under a
    name made of its digest, and every application citing it points there."""
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        application=application,
        kind=kind,
        filename=f"{kind}.txt",
        sha256=digest,
        size=len(content),
        uploaded_by=actor,
        uploaded_at=uploaded,
    )
    if shared:
        name = f"exportcontrol/synthetic/{kind}-{digest[:12]}.txt"
        storage = document.file.storage
        document.file.name = (
            name if storage.exists(name) else storage.save(name, ContentFile(content))
        )
    else:
        name = f"{application.number}-{kind}-{digest[:12]}.txt"
        document.file.save(name, ContentFile(content), save=False)
    document.save()


def _first_serial(stem: str) -> int:
    """The next number of the dataset's `APP-<year>-<seed>-` series, after the refused
    applications (written before the backlog), so open ones look like all the others."""
    numbers = Application.objects.filter(number__startswith=f"APP-{stem}-").values_list(
        "number", flat=True
    )
    return max((int(n.rsplit("-", 1)[1]) for n in numbers), default=0) + 1


# Open applications filed this many calendar days before the dataset's end: their
# 45 working days (about 63 calendar days) have run out when the data ends, so the
# desk shows what an overdue application looks like. The others are filed in the
# last month and sit inside their clocks.
OVERDUE_FILED_DAYS_BEFORE_END = 100
# Which backlog positions are overdue: the first accepted and the first under review
# (the states whose clock runs; a submitted one has not started, a paused one waits).
OVERDUE_POSITIONS = (1, 2)


def _filed_on(n: int, end_month: date) -> date:
    """When the `n`-th open application was filed, for a dataset ending with `end_month`."""
    if n in OVERDUE_POSITIONS:
        after_end = month_add(end_month, 1)
        return after_end - timedelta(days=OVERDUE_FILED_DAYS_BEFORE_END + 1)
    return date(end_month.year, end_month.month, 1 + n % 20)


def backlog_write(
    records: list[dict], actor: User, exporters: dict[str, Enterprise], end_month: date
) -> int:
    """Applications still open at the dataset's end, so the licensing desk has a queue.

    They repeat recent issued requests (same exporter, buyer and goods) filed in the
    dataset's last month with their documents, and left at each open step of the
    workflow; two were filed long before and are overdue (`OVERDUE_POSITIONS`).
    """
    serials: dict[str, int] = {}
    for n, record in enumerate(records):
        exporter = exporters.get(record["applicant"]) or Enterprise.objects.get(
            identifier=record["applicant"]
        )
        stem = record["number"].removeprefix("LIC-").rsplit("-", 1)[0]  # "<year>-<seed>"
        serials[stem] = serials.get(stem) or _first_serial(stem)
        number = f"APP-{stem}-{serials[stem]:06d}"
        serials[stem] += 1
        path = _OPEN_PATHS[n % len(_OPEN_PATHS)]
        filed = _filed_on(n, end_month)
        applied = _at(filed.isoformat(), 10)
        application = Application.objects.create(
            number=number, applicant=exporter, created_by=actor,
            state=path[-1][2], consignee_name=record["consignee"],
            consignee_country=record["country"], end_user_name=record["end_user"],
            end_user_country=record["end_user_id"].split(":", 1)[0], end_use=END_USE,
            destination=record["country"], contract_number=f"SC-{number}",
            created_at=applied - timedelta(hours=1), submitted_at=applied,
            accepted_on=filed + timedelta(days=STEP_DAYS) if len(path) > 1 else None,
        )  # fmt: skip
        ApplicationItem.objects.create(
            application=application, position=0, product_code=record["product"],
            form=FORMS[record["product"]], composition=record["composition"],
            kg=Decimal(record["kg"]), value=Decimal(0), currency="USD",
            control_codes=record["control_codes"],
        )  # fmt: skip
        _documents(application, record, actor, applied - timedelta(minutes=30))
        _history(application, actor, path, applied)
    return len(records)
