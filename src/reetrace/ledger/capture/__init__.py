"""Capture of chain-of-custody events: every rule, then one atomic write.

A batch is validated item by item against a working copy of the ledger state
(balances, transit, lots and shipments made earlier in the same batch), so a
batch may create a lot and ship it in the next item. Nothing is written unless
every item passes; then all rows go in with bulk inserts inside one
transaction. On PostgreSQL the lots a batch touches are locked first, in
primary-key order, so two concurrent batches cannot both spend the same stock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from pydantic import ValidationError

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError
from reetrace.core.text import control_character_path
from reetrace.ledger.capture.content import EVENT_ADAPTER, error_from_validation
from reetrace.ledger.capture.plugins import (
    CAPTURE_LISTENERS,
    CLOSED_MONTHS,
    EXPORT_GUARDS,
    REJECTION_LISTENERS,
    ExportCheck,
)
from reetrace.ledger.capture.session import ConcurrentWrite, session_run
from reetrace.ledger.capture.state import CapturedEvent, CaptureResult
from reetrace.ledger.schemas import EventItem

__all__ = [
    "CAPTURE_LISTENERS",
    "CLOSED_MONTHS",
    "EXPORT_GUARDS",
    "REJECTION_LISTENERS",
    "CaptureResult",
    "CapturedEvent",
    "ExportCheck",
    "batch_capture",
    "error_from_validation",
    "keyed_plans",
]


@contextmanager
def keyed_plans() -> Iterator[None]:
    """Index lookups for every capture query on PostgreSQL, whatever the statistics say.

    Capture reads only by key: ids, codes, a batch's few hundred lots. Without fresh
    statistics (after a bulk load, or where autovacuum lags) the planner takes an
    IN list of a few hundred keys for the whole table and scans it, once per batch
    per table, so each batch costs more as the ledger grows. The setting is local
    to the capture transaction; a rollback undoes it, success sets the default again.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")


def batch_capture(*, actor: User, items: list[Any], now: datetime | None = None) -> CaptureResult:
    """Capture a batch all-or-nothing; resent events are returned, not written again.

    `items` are dicts (validated here, each error naming its item and field) or
    events already parsed (`ledger.schemas.EventIn`).
    """
    parsed: list[tuple[int, EventItem]] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            found = control_character_path(item)
            if found is not None:
                path, character = found
                where = ".".join(str(p) for p in path)
                errors.append(
                    FieldError(
                        ErrorCode.INVALID,
                        f"{where}: contains the control character {character}",
                        where,
                        index,
                    )
                )
                continue
            try:
                item = EVENT_ADAPTER.validate_python(item)
            except ValidationError as exc:
                errors.extend(error_from_validation(exc, index))
                continue
        parsed.append((index, item))
    if errors:
        raise BatchRejected(errors)
    try:
        result = _run(actor, parsed, now or timezone.now())
    except BatchRejected as rejected:
        for listener in REJECTION_LISTENERS:
            listener.call(actor, [item for _, item in parsed], rejected.errors)
        raise
    created = [item.event.pk for item in result.items if item.created]
    if created:
        for plugged in CAPTURE_LISTENERS:
            plugged.call(actor, created)
    return result


def _run(actor: User, parsed: list[tuple[int, EventItem]], now: datetime) -> CaptureResult:
    """Run the batch; if a concurrent batch wrote the same event ids first, run it once
    more, so that a resend racing its original is answered "replayed" (or 409 if its
    content differs), like any later resend."""
    try:
        with transaction.atomic(), keyed_plans():
            return session_run(parsed, actor=actor, now=now)
    except ConcurrentWrite:
        pass
    try:
        with transaction.atomic(), keyed_plans():
            return session_run(parsed, actor=actor, now=now)
    except ConcurrentWrite as exc:
        raise BatchRejected(
            [
                FieldError(
                    ErrorCode.DUPLICATE_EVENT_CONFLICT,
                    "concurrent requests keep writing the same event ids or lot codes; "
                    "resend the batch",
                )
            ]
        ) from exc
