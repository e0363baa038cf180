"""Capture of an EPCIS 2.0 document: validate, map, then the ledger's batch capture.

All or nothing, as `GS1-Capture-Error-Behaviour: rollback` asks and reetrace's
batches are: a document with one invalid event (schema, CBV, an identifier no one
registered, a reetrace invariant) stores nothing, and the errors name the event's
index and field. Events already captured under the same Event Hash ID are replays:
answered, not stored again. What the ledger captured is indexed by hash ID in
`EpcisEvent` right after, in its own transaction, so that export control's record
of a refused export survives a refused document; a failure between the two is
repaired by resending, which replays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, FieldError
from reetrace.epcis.canonical import event_hash_id
from reetrace.epcis.mapping import MappedEvent, document_glns, events_map
from reetrace.epcis.models import CaptureJob, EpcisEvent
from reetrace.epcis.scheme import gln_lookups_kept
from reetrace.epcis.subscriptions import document_capture_reports
from reetrace.epcis.tree import (
    EpcisSyntaxError,
    context_prefixes,
    json_document_events,
    read_document,
)
from reetrace.epcis.validation import SchemaUnavailable, document_problems
from reetrace.epcis.xmljson import xml_document_as_json
from reetrace.ledger.capture import batch_capture

__all__ = ["CAPTURE_LIMIT", "FILE_SIZE_LIMIT", "CaptureRefused", "document_capture"]

CAPTURE_LIMIT = 5000  # events per document: the ledger's batch limit
FILE_SIZE_LIMIT = 8 * 1024 * 1024  # bytes; under the server's request body limit

VALIDATION = "epcisException:ValidationException"
CAPTURE_LIMIT_EXCEEDED = "epcisException:CaptureLimitExceededException"
FORBIDDEN = "epcisException:SecurityException"


class CaptureRefused(Exception):
    """A document refused as a whole, typed as the EPCIS REST bindings name it."""

    def __init__(self, kind: str, status: int, title: str, errors: list[dict] | None = None):
        super().__init__(title)
        self.kind = kind
        self.status = status
        self.title = title
        self.errors = errors or []


@dataclass
class CaptureOutcome:
    created: list[str] = field(default_factory=list)  # hash IDs stored now
    replayed: list[str] = field(default_factory=list)  # hash IDs captured before


def _errors(found: list[FieldError]) -> list[dict]:
    return [{"index": e.index, "field": e.field, "message": e.message} for e in found]


def _document(data: bytes, content_type: str) -> dict:
    if len(data) > FILE_SIZE_LIMIT:
        raise CaptureRefused(
            CAPTURE_LIMIT_EXCEEDED,
            413,
            f"the document is {len(data):,} bytes; at most {FILE_SIZE_LIMIT:,}",
        )
    text = data.decode("utf-8-sig", errors="replace")
    try:
        if _is_xml(data, content_type):
            return xml_document_as_json(data)
        document = json.loads(text)
    except (ValueError, EpcisSyntaxError) as exc:
        message = exc.message if isinstance(exc, EpcisSyntaxError) else f"not JSON: {exc}"
        raise CaptureRefused(
            VALIDATION, 400, message, [{"index": None, "field": "document", "message": message}]
        ) from exc
    return document


def _is_xml(data: bytes, content_type: str) -> bool:
    return "xml" in content_type or data.lstrip().startswith(b"<")


def document_capture(
    *, user: User, data: bytes, content_type: str, job: CaptureJob
) -> CaptureOutcome:
    """Capture a whole document for `user`'s enterprise, recording the outcome on `job`
    (saved here, new or not)."""
    try:
        with document_capture_reports() as stored:
            outcome = _capture(user, data, content_type, job, stored)
    except (CaptureRefused, SchemaUnavailable) as refused:
        title = refused.title if isinstance(refused, CaptureRefused) else str(refused)
        errors = refused.errors if isinstance(refused, CaptureRefused) else []
        job.state = CaptureJob.State.FAILED
        job.errors = errors or [{"index": None, "field": None, "message": title}]
        job.finished_at = timezone.now()
        job.save()
        raise
    return outcome


def _capture(
    user: User, data: bytes, content_type: str, job: CaptureJob, stored: list[int]
) -> CaptureOutcome:
    if user.enterprise_id is None:
        raise CaptureRefused(FORBIDDEN, 403, "only an enterprise's user captures its events")
    document = _document(data, content_type)
    problems = document_problems(document)
    if problems:
        raise CaptureRefused(
            VALIDATION,
            400,
            f"{len(problems)} problem(s); nothing was stored",
            [p.as_dict() for p in problems],
        )
    events = json_document_events(document)
    as_sent = read_document(data) if _is_xml(data, content_type) else events
    if len(events) > CAPTURE_LIMIT:
        raise CaptureRefused(
            CAPTURE_LIMIT_EXCEEDED,
            413,
            f"{len(events):,} events; at most {CAPTURE_LIMIT:,} per capture",
        )
    hashed = [
        (i, event_hash_id(sent), event.source or {})
        for i, (sent, event) in enumerate(zip(as_sent, events, strict=True))
    ]
    keys = [_key(h, e) for _, h, e in hashed]
    known = set(EpcisEvent.objects.filter(hash_id__in=keys).values_list("hash_id", flat=True))
    outcome = CaptureOutcome(replayed=[h for _, h, e in hashed if _key(h, e) in known])
    fresh = [(i, h, e) for i, h, e in hashed if _key(h, e) not in known]
    with gln_lookups_kept(document_glns([e for _, _, e in fresh])):
        mapped, errors = events_map(
            fresh, context_prefixes(document.get("@context", [])), user.enterprise
        )
    if errors:
        raise CaptureRefused(
            VALIDATION,
            400,
            f"{len(errors)} event(s) cannot be captured; nothing was stored",
            _errors(errors),
        )
    with_items = [m for m in mapped if m.item is not None]
    ledger_keys: dict[str, int] = {}
    if with_items:
        try:
            result = batch_capture(actor=user, items=[m.item for m in with_items])
        except BatchRejected as rejected:
            raise CaptureRefused(
                VALIDATION,
                rejected.status,
                f"{len(rejected.errors)} event(s) break reetrace's rules; nothing was stored",
                [
                    {
                        "index": with_items[e.index].index if e.index is not None else None,
                        "field": e.field,
                        "message": e.message,
                    }
                    for e in rejected.errors
                ],
            ) from rejected
        ledger_keys = {c.event.event_id: c.event.pk for c in result.items}
    outcome.created = [m.hash_id for m in mapped]
    # The index and the job's outcome in one commit (on PostgreSQL each commit waits
    # for the log to reach the disk: a document of a few events paid for three).
    with transaction.atomic():
        job.context = document.get("@context", [])
        job.state = CaptureJob.State.SUCCESS
        job.event_count = len(outcome.created) + len(outcome.replayed)
        job.finished_at = timezone.now()
        job.save()
        stored.extend(_index(mapped, ledger_keys, user, job))
    return outcome


def _key(hash_id: str, event: dict) -> str:
    """An error declaration hashes as the event it declares wrong: its own key."""
    return hash_id + "#error" if event.get("errorDeclaration") is not None else hash_id


def _index(
    mapped: list[MappedEvent], ledger: dict[str, int], user: User, job: CaptureJob
) -> list[int]:
    """Index what was captured by hash ID (`ledger`: the key of each ledger event the
    batch captured or replayed, by event id); each event is kept as sent and served
    with its job's context, so that it hashes as it was sent. Returns the keys of the
    rows stored that changed no custody (stream subscriptions report them)."""
    rows = [
        EpcisEvent(
            hash_id=_key(m.hash_id, m.event),
            event_id=str(m.event.get("eventID", ""))[:200],
            event_type=str(m.event.get("type")),
            reporter_id=user.enterprise_id,
            event_time=datetime.fromisoformat(str(m.event["eventTime"]).replace("Z", "+00:00")),
            ledger_event_id=ledger.get(m.item["event_id"]) if m.item else None,
            lots=m.lots,
            document=m.event,
            capture=job,
        )
        for m in mapped
    ]
    with transaction.atomic():
        EpcisEvent.objects.bulk_create(rows, ignore_conflicts=True)
    if all(row.ledger_event_id is not None for row in rows):
        return []
    return list(
        EpcisEvent.objects.filter(
            capture=job, ledger_event__isnull=True, hash_id__in=[r.hash_id for r in rows]
        ).values_list("pk", flat=True)
    )
