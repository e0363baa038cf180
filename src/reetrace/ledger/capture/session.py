"""One capture batch: the run loop (state, rules per item, replays) and the write.

`session_run` loads the batch's state (`prefetch.state_load`), gives each item the
shared rules and its kind's (`common.event_plan`, `kinds.APPLY`), and, when every
item passed, writes all plans at once (`plans_write`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from django.db import IntegrityError, models, transaction

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.core.quantities import fraction_to_ppb, kg_to_mg
from reetrace.ledger.bulkwrite import rows_insert, tuples_insert
from reetrace.ledger.capture.common import canonical, event_plan
from reetrace.ledger.capture.content import WRITE_ORDER, content_digest
from reetrace.ledger.capture.prefetch import state_load
from reetrace.ledger.capture.state import BatchState, CapturedEvent, CaptureResult, Plan
from reetrace.ledger.chain import chain_extend
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import Correction, Event, LotElement, LotLink, Posting
from reetrace.ledger.monthly import flows_add
from reetrace.ledger.monthly_exports import exports_add
from reetrace.ledger.movements import MOVING_KINDS, movements_add
from reetrace.ledger.quota_draws import DRAWING_KINDS, draws_add
from reetrace.ledger.schemas import EventItem
from reetrace.ledger.seal import plan_seal

# The columns of the rows capture writes as plain tuples (all but the key).
ELEMENT_COLUMNS = ("lot_id", "element", "fraction")
POSTING_COLUMNS = (
    "event_id",
    "lot_id",
    "holder_id",
    "bucket",
    "flow",
    "shipment_id",
    "kg",
    "period",
)
LINK_COLUMNS = ("event_id", "parent_id", "child_id", "kg", "reo_kg")
EXPORTING_KINDS = {EventKind.EXPORT, EventKind.CORRECT}


class ConcurrentWrite(Exception):
    """A concurrent batch committed an event id or lot code this one was about to write."""


def session_run(
    parsed: list[tuple[int, EventItem]], *, actor: User, now: datetime
) -> CaptureResult:
    """Every rule for every item against one working state, then one write; any error
    and nothing is written (`BatchRejected` names each item and field)."""
    state = state_load([item for _, item in parsed], actor=actor, now=now)
    plans: list[Plan] = []
    results: list[CapturedEvent] = []
    errors: list[FieldError] = []
    for index, item in parsed:
        try:
            content = canonical(state, item)
            digest = content_digest(content)
            existing = state.events.get(item.event_id)
            if existing is not None:
                replay = _replay(state, item.event_id, existing, digest)
                codes = list(replay.lots_created.values_list("code", flat=True))
                results.append(CapturedEvent(replay, False, codes))
                continue
            plan = event_plan(state, item, content, digest)
        except ReetraceError as exc:
            error = exc.as_field_error(index)
            error.record = error.record or item.event_id
            errors.append(error)
            continue
        state.events[item.event_id] = plan.event
        state.batch_ids[item.event_id] = digest
        plans.append(plan)
        results.append(CapturedEvent(plan.event, True, plan.lot_codes))
    if errors:
        _concurrent_write_check(state, parsed)
        raise BatchRejected(errors)
    try:
        with transaction.atomic():
            plans_write(plans)
    except IntegrityError as exc:
        # Only a concurrent batch that wrote the same event id or lot code gets here.
        raise ConcurrentWrite from exc
    return CaptureResult(results)


def _concurrent_write_check(state: BatchState, parsed: list[tuple[int, EventItem]]) -> None:
    """A batch read before a concurrent one committed the same events may see its
    lots but not its events (lot code taken); that is a race to retry, not an error."""
    unseen = {item.event_id for _, item in parsed} - set(state.events)
    if Event.objects.filter(event_id__in=unseen).exists():
        raise ConcurrentWrite


def _replay(state: BatchState, event_id: str, existing: Event, digest: str) -> Event:
    """A resent event: the stored one if the content is the same, else a 409."""
    stored = state.batch_ids.get(event_id) or existing.content_hash
    if stored != digest:
        raise ReetraceError(
            ErrorCode.DUPLICATE_EVENT_CONFLICT,
            f"event id {event_id!r} was already used for different content",
            field="event_id",
            status=409,
        )
    if event_id in state.batch_ids:
        raise ReetraceError(
            ErrorCode.DUPLICATE_EVENT_CONFLICT,
            f"event id {event_id!r} appears twice in this batch",
            field="event_id",
            status=409,
        )
    return existing


def plans_write(plans: list[Plan]) -> None:
    """The batch's rows in foreign-key order, the hash chain extended over them, and the
    monthly flow summary moved by their postings: all in the caller's transaction."""
    events = [p.event for p in plans]
    chain_extend([(plan.event, plan_seal(plan)) for plan in plans])
    rows_insert(Event, events)
    rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for plan in plans:
        for model, planned in plan.rows.items():
            rows[model].extend(planned)
    for model in WRITE_ORDER:
        rows_insert(model, rows.pop(model, []))
    if rows:
        raise TypeError(f"capture has no write order for {sorted(m.__name__ for m in rows)}")
    _plain_rows_write(plans)
    # The monthly summaries move with the rows they sum, in this same transaction.
    flows_add(spec for plan in plans for spec in plan.postings)
    voided = [
        correction.corrected
        for plan in plans
        for correction in plan.rows.get(Correction, [])
        if isinstance(correction, Correction)
    ]
    movements_add(
        added=[plan.event.pk for plan in plans if plan.event.kind in MOVING_KINDS],
        voided=[event.pk for event in voided],
    )
    draws_add(
        added=[plan.event.pk for plan in plans if plan.event.kind in DRAWING_KINDS],
        voided=[event.pk for event in voided if event.kind == EventKind.MINE],
    )
    # an export declaration is written by an export or a correction replacing one
    exports_add(
        added=[plan.event.pk for plan in plans if plan.event.kind in EXPORTING_KINDS],
        voided=[event.pk for event in voided if event.kind == EventKind.EXPORT],
    )
    for plan in plans:
        for row in plan.extra_rows:
            row.save(force_insert=True)


def _plain_rows_write(plans: list[Plan]) -> None:
    """Lot elements, postings and genealogy links, the most numerous rows, as tuples."""
    tuples_insert(
        LotElement,
        ELEMENT_COLUMNS,
        [
            (lot.pk, element, fraction_to_ppb(fraction))
            for plan in plans
            for lot, element, fraction in plan.elements
        ],
    )
    tuples_insert(
        Posting,
        POSTING_COLUMNS,
        [
            (
                plan.event.pk,
                s.lot.lot.pk,
                s.holder.pk,
                s.bucket,
                s.flow,
                s.shipment.shipment.pk if s.shipment else None,
                kg_to_mg(s.kg),
                s.period,
            )
            for plan in plans
            for s in plan.postings
        ],
    )
    tuples_insert(
        LotLink,
        LINK_COLUMNS,
        [
            (plan.event.pk, parent.pk, child.pk, kg_to_mg(kg), json.dumps(reo))
            for plan in plans
            for parent, child, kg, reo in plan.links
        ],
    )
