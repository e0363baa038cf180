"""Closing a month and recomputing what a closed month declared."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, ReetraceError
from reetrace.ledger.models import Event, Posting
from reetrace.ledger.rules import CHINA_TIME, report_deadline
from reetrace.registry.models import Enterprise
from reetrace.reporting.models import MonthlyReport


def month_totals(*, enterprise: Enterprise, period: date, as_of: datetime | None = None) -> dict:
    """kg per flow and bucket for the enterprise's month, counting events recorded by `as_of`."""
    postings = Posting.objects.filter(holder=enterprise, period=period)
    events = Event.objects.filter(reporter=enterprise, period=period)
    if as_of is not None:
        postings = postings.filter(event__recorded_at__lte=as_of)
        events = events.filter(recorded_at__lte=as_of)
    flows = {
        f"{row['bucket']}:{row['flow']}": str(row["kg"])
        for row in postings.values("bucket", "flow")
        .annotate(kg=Sum("kg"))
        .order_by("bucket", "flow")
    }
    kinds = dict(events.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    return {"kg_by_flow": flows, "events_by_kind": kinds}


@transaction.atomic
def month_close(*, actor: User, enterprise: Enterprise, period: date) -> MonthlyReport:
    """Close a finished month: later events dated in it are accepted only as corrections."""
    if not actor.scope.acts_for(enterprise.pk):
        raise Forbidden("you may close months only for your own enterprise")
    now = timezone.now()
    local_today = now.astimezone(CHINA_TIME).date()
    if (period.year, period.month) >= (local_today.year, local_today.month):
        raise ReetraceError(
            ErrorCode.MONTH_NOT_CLOSABLE,
            f"{period:%Y-%m} has not ended yet; a month can be closed once it is over",
            field="period",
        )
    deadline = report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)
    totals = month_totals(enterprise=enterprise, period=period, as_of=now)
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(
                enterprise=enterprise,
                period=period,
                closed_at=now,
                closed_by=actor,
                deadline=deadline,
                is_late=local_today > deadline,
                event_count=sum(totals["events_by_kind"].values()),
                totals=totals,
            )
    except IntegrityError as exc:
        raise ReetraceError(
            ErrorCode.MONTH_NOT_CLOSABLE,
            f"{period:%Y-%m} is already closed",
            field="period",
            status=409,
        ) from exc
