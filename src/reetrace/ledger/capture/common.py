"""The rules every event shares, before its kind's own: who reports it, its canonical
content, and its `Event` row (active reporter, role, time, closed month, lateness)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger import rules
from reetrace.ledger.capture.content import masses_normalise
from reetrace.ledger.capture.kinds import APPLY
from reetrace.ledger.capture.state import BatchState, Plan
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import Event
from reetrace.ledger.schemas import EventItem
from reetrace.registry.choices import EnterpriseStatus
from reetrace.registry.models import Enterprise

__all__ = ["canonical", "event_plan"]


def canonical(state: BatchState, item: EventItem) -> dict:
    """The content hashed and stored: the reporter by identifier, the time in UTC+8,
    masses as exact kg, compositions sorted (`content.masses_normalise`)."""
    reporter = _reporter(state, item)
    content = item.model_dump(mode="json", exclude={"recorded_at"})
    content["reporter"] = reporter.identifier
    content["event_time"] = item.event_time.astimezone(rules.CHINA_TIME).isoformat()
    masses_normalise(content)
    return content


def _reporter(state: BatchState, item: EventItem) -> Enterprise:
    """The enterprise named (by default the actor's), for which the actor may report."""
    actor = state.actor
    identifier = item.reporter
    if identifier is None:
        if actor.enterprise_id is None:
            raise ReetraceError(
                ErrorCode.INVALID,
                "reporter is required for users without an enterprise",
                field="reporter",
            )
        return next(e for e in state.enterprises.values() if e.pk == actor.enterprise_id)
    enterprise = state.enterprises.get(identifier)
    if enterprise is None:
        raise ReetraceError(
            ErrorCode.UNKNOWN_ENTERPRISE,
            f"reporter {identifier!r} is not registered",
            field="reporter",
        )
    if not actor.scope.acts_for(enterprise.pk):
        raise ReetraceError(
            ErrorCode.REPORTER_NOT_ALLOWED,
            f"you may report only for your own enterprise, not {identifier}",
            field="reporter",
            status=403,
        )
    return enterprise


def event_plan(state: BatchState, item: EventItem, content: dict, digest: str) -> Plan:
    """The event's plan: its `Event` row after the shared rules, then its kind's rows."""
    reporter = state.enterprises[content["reporter"]]
    _reporter_check(state, item, reporter)
    recorded_at = state.now
    if item.recorded_at is not None:
        if not state.actor.scope.acts_for_anyone:
            raise ReetraceError(
                ErrorCode.FORBIDDEN,
                "only administrators may set recorded_at",
                field="recorded_at",
                status=403,
            )
        recorded_at = item.recorded_at
    period = rules.reporting_month(item.event_time)
    closed = (reporter.pk, period) in state.closed
    if closed and item.kind != EventKind.CORRECT:
        raise ReetraceError(
            ErrorCode.MONTH_CLOSED,
            f"{period:%Y-%m} is closed for {reporter.identifier}; send a correct event",
            field="event_time",
        )
    deadline = rules.report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)
    offset = item.event_time.utcoffset() or timedelta(0)
    event = Event(
        event_id=item.event_id,
        kind=item.kind,
        reporter=reporter,
        submitted_by=state.actor,
        event_time=item.event_time,
        utc_offset_minutes=int(offset.total_seconds() // 60),
        period=period,
        recorded_at=recorded_at,
        is_late=closed or recorded_at.astimezone(rules.CHINA_TIME).date() > deadline,
        payload=content,
        content_hash=digest,
    )
    plan = Plan(event)
    APPLY[EventKind(item.kind)](state, plan, item)
    state.postings_of[item.event_id] = plan.postings
    return plan


def _reporter_check(state: BatchState, item: EventItem, reporter: Enterprise) -> None:
    """An active reporter whose registry roles allow the kind, and a time not ahead."""
    if reporter.status != EnterpriseStatus.ACTIVE:
        raise ReetraceError(
            ErrorCode.ENTERPRISE_SUSPENDED,
            f"{reporter.identifier} is suspended",
            field="reporter",
        )
    rules.role_check(
        kind=item.kind,
        process=getattr(item, "process", None),
        roles=state.roles.get(reporter.pk, frozenset()),
        reporter=reporter.identifier,
    )
    skew = timedelta(seconds=settings.REETRACE_CLOCK_SKEW_SECONDS)
    if item.event_time > state.now + skew:
        raise ReetraceError(
            ErrorCode.FUTURE_EVENT_TIME,
            f"event_time {item.event_time.isoformat()} is in the future",
            field="event_time",
        )
