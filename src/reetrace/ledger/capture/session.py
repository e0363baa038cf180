"""One capture batch: replay detection, common rules, then the write."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.core.quantities import fraction_to_ppb, kg_to_mg
from reetrace.ledger import rules
from reetrace.ledger.bulkwrite import rows_insert, tuples_insert
from reetrace.ledger.capture.content import (
    WRITE_ORDER,
    content_digest,
    masses_normalise,
)
from reetrace.ledger.capture.kinds import KindRules
from reetrace.ledger.capture.prefetch import Prefetch
from reetrace.ledger.capture.state import (
    CapturedEvent,
    CaptureResult,
    LotState,
    Plan,
    PostingSpec,
    ShipmentState,
)
from reetrace.ledger.chain import chain_extend
from reetrace.ledger.choices import (
    EventKind,
)
from reetrace.ledger.models import Event, LotElement, LotLink, Posting
from reetrace.ledger.monthly import flows_add
from reetrace.ledger.seal import plan_seal
from reetrace.registry.choices import EnterpriseStatus
from reetrace.registry.models import Enterprise, Product, Quota, Site

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


class ConcurrentWrite(Exception):
    """A concurrent batch committed an event id or lot code this one was about to write."""


class CaptureSession(Prefetch, KindRules):
    """The working state of one batch: what the ledger holds plus what the batch did."""

    def __init__(self, actor: User, now: datetime):
        self.actor = actor
        self.now = now
        self.enterprises: dict[str, Enterprise] = {}
        self.roles: dict[int, frozenset[str]] = {}
        self.products: dict[str, Product] = {}
        self.quotas: dict[str, Quota] = {}
        self.sites: dict[str, Site] = {}
        self.lots: dict[str, LotState] = {}
        self.stock: dict[tuple[str, int], Decimal] = {}
        self.shipments: dict[str, ShipmentState] = {}
        self.events: dict[str, Event] = {}
        self.voided: set[str] = set()
        self.postings_of: dict[str, list[PostingSpec]] = {}
        self.closed: set[tuple[int, Any]] = set()
        self.batch_ids: dict[str, str] = {}
        self.replacements: dict[str, Any] = {}
        self.guard_state: dict[Any, dict] = {}

    # -- the run ---------------------------------------------------------
    def run(self, parsed: list[tuple[int, Any]]) -> CaptureResult:
        self._prefetch([item for _, item in parsed])
        plans: list[Plan] = []
        results: list[CapturedEvent] = []
        errors: list[FieldError] = []
        for index, item in parsed:
            try:
                canonical = self._canonical(item)
                digest = content_digest(canonical)
                existing = self.events.get(item.event_id)
                if existing is not None:
                    replay = self._replay(item.event_id, existing, digest)
                    codes = list(replay.lots_created.values_list("code", flat=True))
                    results.append(CapturedEvent(replay, False, codes))
                    continue
                plan = self._apply(item, canonical, digest)
            except ReetraceError as exc:
                error = exc.as_field_error(index)
                error.record = error.record or item.event_id
                errors.append(error)
                continue
            self.events[item.event_id] = plan.event
            self.batch_ids[item.event_id] = digest
            plans.append(plan)
            results.append(CapturedEvent(plan.event, True, plan.lot_codes))
        if errors:
            self._concurrent_write_check(parsed)
            raise BatchRejected(errors)
        try:
            with transaction.atomic():
                self._write(plans)
        except IntegrityError as exc:
            # Only a concurrent batch that wrote the same event id or lot code gets here.
            raise ConcurrentWrite from exc
        return CaptureResult(results)

    def _concurrent_write_check(self, parsed: list[tuple[int, Any]]) -> None:
        """A batch read before a concurrent one committed the same events may see its
        lots but not its events (lot code taken); that is a race to retry, not an error."""
        unseen = {item.event_id for _, item in parsed} - set(self.events)
        if Event.objects.filter(event_id__in=unseen).exists():
            raise ConcurrentWrite

    def _replay(self, event_id: str, existing: Event, digest: str) -> Event:
        stored = self.batch_ids.get(event_id) or existing.content_hash
        if stored != digest:
            raise ReetraceError(
                ErrorCode.DUPLICATE_EVENT_CONFLICT,
                f"event id {event_id!r} was already used for different content",
                field="event_id",
                status=409,
            )
        if event_id in self.batch_ids:
            raise ReetraceError(
                ErrorCode.DUPLICATE_EVENT_CONFLICT,
                f"event id {event_id!r} appears twice in this batch",
                field="event_id",
                status=409,
            )
        return existing

    # -- canonical content -------------------------------------------------
    def _canonical(self, item: Any) -> dict:
        reporter = self._reporter(item)
        content = item.model_dump(mode="json", exclude={"recorded_at"})
        content["reporter"] = reporter.identifier
        content["event_time"] = item.event_time.astimezone(rules.CHINA_TIME).isoformat()
        masses_normalise(content)
        return content

    def _reporter(self, item: Any) -> Enterprise:
        identifier = item.reporter
        if identifier is None:
            if self.actor.enterprise_id is None:
                raise ReetraceError(
                    ErrorCode.INVALID,
                    "reporter is required for users without an enterprise",
                    field="reporter",
                )
            return next(e for e in self.enterprises.values() if e.pk == self.actor.enterprise_id)
        enterprise = self.enterprises.get(identifier)
        if enterprise is None:
            raise ReetraceError(
                ErrorCode.UNKNOWN_ENTERPRISE,
                f"reporter {identifier!r} is not registered",
                field="reporter",
            )
        if self.actor.role != "admin" and enterprise.pk != self.actor.enterprise_id:
            raise ReetraceError(
                ErrorCode.REPORTER_NOT_ALLOWED,
                f"you may report only for your own enterprise, not {identifier}",
                field="reporter",
                status=403,
            )
        return enterprise

    # -- rules per event ---------------------------------------------------
    def _apply(self, item: Any, canonical: dict, digest: str) -> Plan:
        reporter = self.enterprises[canonical["reporter"]]
        if reporter.status != EnterpriseStatus.ACTIVE:
            raise ReetraceError(
                ErrorCode.ENTERPRISE_SUSPENDED,
                f"{reporter.identifier} is suspended",
                field="reporter",
            )
        rules.role_check(
            kind=item.kind,
            process=getattr(item, "process", None),
            roles=self.roles.get(reporter.pk, frozenset()),
            reporter=reporter.identifier,
        )
        if item.event_time > self.now + timedelta(seconds=settings.REETRACE_CLOCK_SKEW_SECONDS):
            raise ReetraceError(
                ErrorCode.FUTURE_EVENT_TIME,
                f"event_time {item.event_time.isoformat()} is in the future",
                field="event_time",
            )
        recorded_at = self.now
        if item.recorded_at is not None:
            if self.actor.role != "admin":
                raise ReetraceError(
                    ErrorCode.FORBIDDEN,
                    "only administrators may set recorded_at",
                    field="recorded_at",
                    status=403,
                )
            recorded_at = item.recorded_at
        period = rules.reporting_month(item.event_time)
        closed = (reporter.pk, period) in self.closed
        if closed and item.kind != EventKind.CORRECT:
            raise ReetraceError(
                ErrorCode.MONTH_CLOSED,
                f"{period:%Y-%m} is closed for {reporter.identifier}; send a correct event",
                field="event_time",
            )
        deadline = rules.report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)
        event = Event(
            event_id=item.event_id,
            kind=item.kind,
            reporter=reporter,
            submitted_by=self.actor,
            event_time=item.event_time,
            utc_offset_minutes=int(item.event_time.utcoffset().total_seconds() // 60),
            period=period,
            recorded_at=recorded_at,
            is_late=closed or recorded_at.astimezone(rules.CHINA_TIME).date() > deadline,
            payload=canonical,
            content_hash=digest,
        )
        plan = Plan(event)
        handler = getattr(self, f"_apply_{item.kind}")
        handler(plan, item, reporter)
        self.postings_of[item.event_id] = plan.postings
        return plan

    # -- write ---------------------------------------------------------------
    def _write(self, plans: list[Plan]) -> None:
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
        # The monthly summary moves with the postings, in this same transaction.
        flows_add(spec for plan in plans for spec in plan.postings)
        for plan in plans:
            for row in plan.extra_rows:
                row.save(force_insert=True)
