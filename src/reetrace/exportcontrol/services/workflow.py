"""The licence application workflow, its statutory clock, and licence issuance.

draft -> submitted -> accepted -> under_review -> (information_requested ->
resubmitted -> under_review)* -> approved | rejected; withdrawn from any open
state. The table below is the only place a state change is allowed; anything
else is refused with the states it would need.

A general licence needs a vetted exporter (vetting.py). It is checked at submission
and resubmission, so the applicant hears at once rather than after weeks of review,
and again at approval, on the approval date, because the vetting may have been
revoked or may have ended while the application waited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, ReetraceError
from reetrace.core.permissions import Permission
from reetrace.core.quantities import parse_mass
from reetrace.exportcontrol.choices import (
    APPLICANT_ACTIONS,
    OPEN_STATES,
    REQUIRED_DOCUMENTS,
    Action,
    LicenceKind,
)
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.control_list import control_list
from reetrace.exportcontrol.models import Application, Licence, LicenceItem, Transition
from reetrace.exportcontrol.policy import policy
from reetrace.exportcontrol.services.applications import china_date, number_next
from reetrace.exportcontrol.services.screening import application_screen
from reetrace.exportcontrol.services.vetting import vetting_require
from reetrace.exportcontrol.workdays import Clock, Pause, WorkCalendar, clock_compute
from reetrace.ledger.models import ExportDeclaration

__all__ = [
    "TRANSITIONS",
    "application_clock",
    "application_transition",
    "decision_clocks_store",
    "documents_missing",
]

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.ACCEPT: (frozenset({S.SUBMITTED}), S.ACCEPTED),
    Action.START_REVIEW: (frozenset({S.ACCEPTED}), S.UNDER_REVIEW),
    Action.REQUEST_INFORMATION: (frozenset({S.UNDER_REVIEW}), S.INFORMATION_REQUESTED),
    Action.RESUBMIT: (frozenset({S.INFORMATION_REQUESTED}), S.RESUBMITTED),
    Action.RESUME_REVIEW: (frozenset({S.RESUBMITTED}), S.UNDER_REVIEW),
    Action.APPROVE: (frozenset({S.UNDER_REVIEW}), S.APPROVED),
    Action.REJECT: (frozenset({S.UNDER_REVIEW}), S.REJECTED),
    Action.WITHDRAW: (frozenset(OPEN_STATES), S.WITHDRAWN),
}


@dataclass(frozen=True)
class Approval:
    """What the officer licenses: kg per item (default: as applied) and validity."""

    licensed_kg: list[str] | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    retroactive_reason: str = ""


def documents_missing(application: Application) -> list[str]:
    present = set(application.documents.values_list("kind", flat=True))
    return [str(kind) for kind in REQUIRED_DOCUMENTS if kind not in present]


def _authorise(actor: User, application: Application, action: str) -> None:
    if action in APPLICANT_ACTIONS:
        if not actor.scope.acts_for(application.applicant_id):
            raise Forbidden(f"only the applicant may {action} {application.number}")
    elif not actor.has_permission(Permission.EXPORTCONTROL_APPLICATION_DECIDE):
        raise Forbidden(f"your role does not allow {Permission.EXPORTCONTROL_APPLICATION_DECIDE}")


def _check_allowed(application: Application, action: str) -> str:
    if action not in TRANSITIONS:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"unknown action {action!r}; one of {sorted(TRANSITIONS)}",
            field="action",
        )
    sources, target = TRANSITIONS[action]
    if application.state not in sources:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"cannot {action} application {application.number}: it is {application.state}, "
            f"and {action} needs {' or '.join(sorted(sources))}",
            field="action",
            status=409,
        )
    return target


def _on_submit(application: Application, now: datetime, action: str) -> None:
    if application.kind == LicenceKind.GENERAL:
        vetting_require(application, china_date(now), action)
    missing = documents_missing(application)
    if missing:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"application {application.number} cannot be submitted: missing documents "
            f"{', '.join(missing)}",
            field="documents",
            status=409,
        )


@transaction.atomic
def application_transition(
    *,
    actor: User,
    application: Application,
    action: str,
    comment: str = "",
    approval: Approval | None = None,
    now: datetime | None = None,
) -> Application:
    """Move an application one step, recording who, when and why; refuse illegal steps."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    _authorise(actor, application, action)
    target = _check_allowed(application, action)
    before = application.state
    if action == Action.SUBMIT:
        _on_submit(application, now, action)
        application.submitted_at = application.submitted_at or now
    elif action == Action.RESUBMIT:
        _on_submit(application, now, action)
    elif action == Action.ACCEPT:
        application.accepted_on = china_date(now)
    elif action == Action.APPROVE and application.kind == LicenceKind.GENERAL:
        vetting_require(application, china_date(now), action)
    if target in (S.APPROVED, S.REJECTED, S.WITHDRAWN):
        application.decided_at = now
    application.state = target
    application.save()
    Transition.objects.create(
        application=application,
        action=action,
        from_state=before,
        to_state=target,
        actor=actor,
        at=now,
        comment=comment,
    )
    if action in (Action.SUBMIT, Action.RESUBMIT):
        application_screen(application=application)
    if action == Action.APPROVE:
        licence_issue(
            actor=actor, application=application, approval=approval or Approval(), now=now
        )
    if application.decided_at is not None:
        decision_clocks_store(Application.objects.filter(pk=application.pk))
    return application


def _licence_items(application: Application, approval: Approval) -> list[LicenceItem]:
    items = list(application.items.all())
    kgs = approval.licensed_kg or [str(i.kg) for i in items]
    if len(kgs) != len(items):
        raise ReetraceError(
            ErrorCode.INVALID,
            f"licensed_kg needs {len(items)} values, one per item",
            field="licensed_kg",
        )
    listing = control_list()
    rows = []
    for n, (item, raw) in enumerate(zip(items, kgs, strict=True)):
        kg = parse_mass(raw, field=f"licensed_kg.{n}")
        if not Decimal(0) < kg <= item.kg:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"licensed_kg.{n} = {kg.normalize():f} must be above 0 and at most the "
                f"{item.kg.normalize():f} kg applied for",
                field=f"licensed_kg.{n}",
            )
        elements = sorted(
            {
                el
                for c in item.control_codes
                for el in (listing.entry(c).elements if listing.entry(c) else ())
            }
        )
        rows.append(
            LicenceItem(
                position=n,
                form=item.form,
                elements=elements,
                control_codes=item.control_codes,
                kg=kg,
            )
        )
    return rows


def _retroactive_exports(
    application: Application, approval: Approval, start: date, decided: date
) -> list[str] | None:
    """A licence valid before its decision: refused without the officer's reason; with
    one, the exports it covers before the decision (the exporter's, to the destination,
    from valid_from) are listed on it. None when the licence starts on or after the decision."""
    if start >= decided:
        return None
    if not approval.retroactive_reason.strip():
        raise ReetraceError(
            ErrorCode.INVALID,
            f"valid_from {start} is before the decision date {decided}: a licence is not "
            "valid before it is decided unless a retroactive reason is recorded",
            field="valid_from",
        )
    declarations = ExportDeclaration.objects.filter(
        exporter_id=application.applicant_id,
        destination=application.destination,
        event__period__gte=start.replace(day=1),
    ).values_list("event__event_id", "event__event_time")
    return sorted(
        event_id for event_id, moment in declarations if start <= china_date(moment) < decided
    )


def licence_issue(
    *, actor: User, application: Application, approval: Approval, now: datetime
) -> Licence:
    """Issue the licence an approval grants: individual items, or a general kg cap."""
    start = approval.valid_from or china_date(now)
    general = application.kind == LicenceKind.GENERAL
    days = policy().general_validity_days if general else policy().individual_validity_days
    until = approval.valid_until or start + timedelta(days=days - 1)
    if until < start:
        raise ReetraceError(
            ErrorCode.INVALID, "valid_until is before valid_from", field="valid_until"
        )
    items = _licence_items(application, approval)
    covered = _retroactive_exports(application, approval, start, china_date(now))
    fields = dict(
        kind=application.kind,
        application=application,
        exporter=application.applicant,
        consignee_name=application.consignee_name,
        end_user_name=application.end_user_name,
        destination=application.destination,
        valid_from=start,
        valid_until=until,
        kg_cap=sum((i.kg for i in items), Decimal(0)) if general else None,
        issued_at=now,
        issued_by=actor,
        retroactive_reason=approval.retroactive_reason if covered is not None else "",
        retroactive_exports=covered or [],
    )
    prefix = "GL" if general else "EL"
    licence = number_next(
        Licence, prefix, start.year, lambda number: Licence.objects.create(number=number, **fields)
    )
    for item in items:
        item.licence = licence
    LicenceItem.objects.bulk_create(items)
    return licence


def _pauses(transitions: list) -> list[Pause]:
    pauses: list[Pause] = []
    for t in transitions:
        if t.to_state == S.INFORMATION_REQUESTED:
            pauses.append(Pause(china_date(t.at), None))
        elif t.from_state == S.INFORMATION_REQUESTED and pauses and pauses[-1].end is None:
            pauses[-1] = Pause(pauses[-1].start, china_date(t.at))
    return pauses


class Step(NamedTuple):
    """What the clock reads of a transition (a Transition row has the same fields)."""

    from_state: str
    to_state: str
    at: datetime


def decision_working_days(
    accepted_on: date, decided_at: datetime, steps: list, calendar: WorkCalendar
) -> int | None:
    """Working days from acceptance to decision on the statutory clock, or None while
    the clock counts a day of a year no official schedule covers (it may still move)."""
    decided = china_date(decided_at)
    clock = clock_compute(
        accepted=accepted_on,
        today=decided,
        pauses=_pauses(steps),
        limit=policy().review_working_days,
        stopped_on=decided,
        calendar=calendar,
    )
    return None if clock.provisional else clock.elapsed


def decision_clocks_store(applications, transition_model=Transition) -> None:
    """Keep each decided application's working days to decision (`decision_working_days`).

    A decided clock never moves again unless the calendar under it does, so the
    licensing statistics read this column instead of every application's history
    (30,000 applications at medium scale); loading a year's schedule stores them again
    (services/calendar.py). The models are parameters so a migration can pass its own."""
    decided = applications.filter(decided_at__isnull=False, accepted_on__isnull=False)
    histories = transitions_by_application(decided, transition_model)
    calendar = WorkCalendar()
    model = applications.model
    rows = [
        model(pk=pk, decision_working_days=decision_working_days(
            accepted, at, histories.get(pk, []), calendar
        ))
        for pk, accepted, at in decided.values_list("pk", "accepted_on", "decided_at")
    ]  # fmt: skip
    model.objects.bulk_update(rows, ["decision_working_days"], batch_size=1000)


def transitions_by_application(applications, model=Transition) -> dict[int, list[Step]]:
    """The histories of these applications (a queryset) in one query, each in order.

    Lists of thousands of applications read them so, as plain tuples, not by
    prefetch_related, which builds a queryset and model rows per application (2 s of
    the statistics page at small scale)."""
    found: dict[int, list[Step]] = {}
    rows = model.objects.filter(application__in=applications.values("pk")).order_by("at", "pk")
    for application_id, *step in rows.values_list("application_id", "from_state", "to_state", "at"):
        found.setdefault(application_id, []).append(Step(*step))
    return found


def application_clock(
    application: Application,
    today: date,
    calendar: WorkCalendar | None = None,
    transitions: list | None = None,
) -> Clock | None:
    """Elapsed and left working days and the due date; None before acceptance.

    Where no official schedule covers a year the clock is provisional (workdays.py).
    `transitions` is the application's history when the caller has read it already."""
    if application.accepted_on is None:
        return None
    if transitions is None:
        transitions = list(application.transitions.all())
    stopped = china_date(application.decided_at) if application.decided_at else None
    return clock_compute(
        accepted=application.accepted_on,
        today=today,
        pauses=_pauses(transitions),
        limit=policy().review_working_days,
        stopped_on=stopped,
        calendar=calendar,
    )
