"""Webhook subscriptions on named queries (EPCIS 2.0 REST bindings, "Subscriptions").

A subscription reports to its `dest` either as events are captured (`stream`) or on a
`schedule` (what was recorded since the last report). Every report runs the saved
query with the visibility of the subscription's owner, among only the new events,
so a subscriber receives nothing its owner could not read. A report is kept as a
`Delivery`, pending, and sent out of band (`reetrace epcis subscriptions`, or a
queued backend's `epcis.tasks.delivery_send`, then `epcis.webhooks`), signed and
retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, ReetraceError
from reetrace.epcis.models import Delivery, NamedQuery, Subscription
from reetrace.epcis.query import Among, query_document, query_matching
from reetrace.epcis.tasks import delivery_send
from reetrace.epcis.webhooks import dest_refusal

__all__ = [
    "captured_events_report",
    "document_capture_reports",
    "schedule_due",
    "scheduled_report",
    "subscription_create",
    "subscription_delete",
]

SCHEDULE_FIELDS = ("second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek")
_RANGES = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}


class SubscriptionInvalid(ReetraceError):
    def __init__(self, message: str, field: str):
        super().__init__(ErrorCode.INVALID, message, field=field)


def _schedule_values(raw: object, field: str) -> set[int]:
    """A schedule field: a number or a comma list of numbers within the field's range."""
    low, high = _RANGES[field]
    values = set()
    for part in str(raw).split(","):
        if not part.strip().isdigit() or not low <= int(part) <= high:
            raise SubscriptionInvalid(
                f"schedule.{field}: {raw!r} is not a number (or list) from {low} to {high}",
                f"schedule.{field}",
            )
        values.add(int(part))
    return values


def subscription_create(*, owner: User, query: NamedQuery, body: dict) -> Subscription:
    """Check a subscription request field by field and save it."""
    dest = body.get("dest")
    parts = urlsplit(dest) if isinstance(dest, str) else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SubscriptionInvalid("dest: an http or https URL the reports are POSTed to", "dest")
    if (refusal := dest_refusal(dest)) is not None:
        raise SubscriptionInvalid(f"dest: {refusal}; reports go to public addresses only", "dest")
    secret = body.get("signatureToken", body.get("secret"))
    if not isinstance(secret, str) or not 16 <= len(secret) <= 200:
        raise SubscriptionInvalid(
            "signatureToken: 16 to 200 characters, the key reports are signed with",
            "signatureToken",
        )
    stream, schedule = body.get("stream"), body.get("schedule")
    if stream is not None and stream is not True:
        raise SubscriptionInvalid("stream: true, or leave it out and give a schedule", "stream")
    if (stream is None) == (schedule is None):
        raise SubscriptionInvalid("schedule: give either a schedule or stream: true", "schedule")
    if schedule is not None:
        if not isinstance(schedule, dict) or not schedule:
            raise SubscriptionInvalid("schedule: an object of second..dayOfWeek", "schedule")
        for field in schedule:
            if field not in SCHEDULE_FIELDS:
                raise SubscriptionInvalid(f"schedule.{field}: not a schedule field", "schedule")
            _schedule_values(schedule[field], field)
    report_if_empty = body.get("reportIfEmpty", False)
    if not isinstance(report_if_empty, bool):
        raise SubscriptionInvalid("reportIfEmpty: true or false", "reportIfEmpty")
    return Subscription.objects.create(
        query=query,
        owner=owner,
        dest=dest,
        secret=secret,
        stream=stream is True,
        schedule=schedule,
        report_if_empty=report_if_empty,
        reported_until=timezone.now(),
    )


def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    if subscription.owner_id != actor.pk:
        raise Forbidden("only the user who subscribed deletes the subscription")
    subscription.delete()


def _report(subscription: Subscription, events: list[dict]) -> Delivery | None:
    """Keep a report for the subscription, pending: one insert, nothing sent here, so a
    capture never waits on a subscriber's server. A queued task backend is handed it
    once the data is committed; the immediate one would send it inside the capture
    request, so then `reetrace epcis subscriptions` (cron) sends it."""
    if not events and not subscription.report_if_empty:
        return None
    delivery = Delivery.objects.create(
        subscription=subscription, document=query_document(events), event_count=len(events)
    )
    if not isinstance(delivery_send.get_backend(), ImmediateBackend):
        transaction.on_commit(lambda: delivery_send.enqueue(delivery.pk))
    return delivery


def _stream(ledger: list[int], stored: list[int]) -> None:
    among = Among(frozenset(ledger), frozenset(stored))
    for subscription in Subscription.objects.filter(stream=True).select_related("query", "owner"):
        events = query_matching(
            actor=subscription.owner, params=subscription.query.parameters, among=among
        )
        if events:
            _report(subscription, events)


# Within an EPCIS document's capture, the ledger events written are held back until
# the document's own EPCIS rows are stored, so that they are reported as sent.
_held: ContextVar[list[int] | None] = ContextVar("epcis_stream_held", default=None)


def captured_events_report(actor: User, created: list[int]) -> None:
    """`ledger.capture.plugins.CAPTURE_LISTENERS`: report new ledger events to the
    stream subscriptions (held back while an EPCIS document is being captured)."""
    held = _held.get()
    if held is not None:
        held.extend(created)
        return
    _stream(created, [])


@contextmanager
def document_capture_reports() -> Iterator[list[int]]:
    """Around an EPCIS document's capture: the caller appends the EPCIS rows it stored
    that changed no custody; on success the stream subscriptions get all of them."""
    held: list[int] = []
    stored: list[int] = []
    token = _held.set(held)
    try:
        yield stored
    finally:
        _held.reset(token)
    if held or stored:
        _stream(held, stored)


def schedule_due(schedule: dict, moment: datetime) -> bool:
    """Whether every field the schedule gives matches `moment` (dayOfWeek 1 = Monday)."""
    now = {
        "second": moment.second,
        "minute": moment.minute,
        "hour": moment.hour,
        "dayOfMonth": moment.day,
        "month": moment.month,
        "dayOfWeek": moment.isoweekday(),
    }
    return all(now[f] in _schedule_values(v, f) for f, v in schedule.items())


def scheduled_report(moment: datetime) -> list[Delivery]:
    """Report, for each scheduled subscription due at `moment` (to the minute), what
    was recorded since its previous report. Run each minute (`reetrace epcis
    subscriptions`)."""
    made = []
    for subscription in Subscription.objects.filter(stream=False).select_related("query", "owner"):
        schedule = {k: v for k, v in subscription.schedule.items() if k != "second"}
        if not schedule_due(schedule, moment):
            continue
        params = dict(subscription.query.parameters)
        if subscription.reported_until is not None:
            params["GE_recordTime"] = subscription.reported_until.isoformat()
        params["LT_recordTime"] = moment.isoformat()
        events = query_matching(actor=subscription.owner, params=params, among=None)
        with transaction.atomic():
            if (delivery := _report(subscription, events)) is not None:
                made.append(delivery)
            subscription.reported_until = moment
            subscription.save(update_fields=["reported_until"])
    return made
