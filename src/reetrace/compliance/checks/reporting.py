"""Monthly reports: each domestic enterprise closes every month by the deadline.

A report closed late, or never, is the cheapest signal there is and the one an
enterprise can fix itself, so these alerts are shared with the enterprise by
default (`share` in config.toml). An enterprise owes a report for every month
from its first month in the ledger on, whether or not it had events.

A report can also be closed on time and still be incomplete: `volume_drop` compares
each month's reported volume with the enterprise's own recent months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Max, Min

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window, add_months, kg
from reetrace.compliance.checks.ledger import DATABASE, MG_PPB_PER_KG, reo
from reetrace.compliance.checks.quotas import limits_kg, mining_uses
from reetrace.ledger.choices import EventKind, Flow
from reetrace.ledger.models import Event, Posting
from reetrace.ledger.rules import CHINA_TIME, report_deadline
from reetrace.registry.choices import QuotaKind
from reetrace.registry.models import Enterprise, Quota
from reetrace.reporting.models import MonthlyReport


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _deadline(period: date) -> date:
    return report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)


class ReportLate(Check):
    """A month closed after its deadline (the 10th of the next month).

    Parameters: `severity`, `share` (shared with the enterprise when raised).
    """

    name = "report_late"
    title = "monthly report closed late"

    def findings(self, window: Window) -> Iterator[Finding]:
        reports = MonthlyReport.objects.filter(
            is_late=True, closed_at__lte=window.as_of, **window.period_filter()
        ).select_related("enterprise")
        for report in reports.order_by("period", "pk"):
            closed = report.closed_at.astimezone(CHINA_TIME).date()
            days = (closed - report.deadline).days
            yield Finding(
                rule=self.name,
                key=f"{report.enterprise.identifier}|{report.period:%Y-%m}",
                severity=self.params["severity"],
                enterprise_id=report.enterprise_id,
                period=report.period,
                explanation=(
                    f"the {report.period:%Y-%m} report of {report.enterprise.identifier} was "
                    f"closed on {closed}, {days} day(s) after the deadline {report.deadline}."
                ),
                figures={
                    "expected": str(report.deadline),
                    "observed": str(closed),
                    "tolerance": 0,
                    "unit": "date",
                    "days_late": days,
                },
                shared=self.params["share"],
            )


class ReportMissing(Check):
    """A month whose deadline passed (by `--as-of`) without the report being closed.

    Parameters: `severity`, `share`. Months count from the enterprise's first
    month in the ledger (as reporter or holder) up to the newest month any event
    is dated in: a ledger loaded for a past year does not owe the months after it.
    """

    name = "report_missing"
    title = "monthly report missing"

    def findings(self, window: Window) -> Iterator[Finding]:
        today = window.as_of.astimezone(CHINA_TIME).date()
        closed = set(
            MonthlyReport.objects.filter(closed_at__lte=window.as_of).values_list(
                "enterprise_id", "period"
            )
        )
        names = dict(Enterprise.objects.filter(country="CN").values_list("pk", "identifier"))
        horizon = Event.objects.aggregate(last=Max("period"))["last"]
        last = min(d for d in (window.end, horizon) if d is not None) if horizon else None
        for enterprise_id, first in sorted(self._first_months(window).items()):
            if enterprise_id not in names:
                continue
            month = max(first, window.start) if window.start else first
            while _deadline(month) < today and last is not None and month <= last:
                if (enterprise_id, month) not in closed:
                    yield self._finding(enterprise_id, names[enterprise_id], month)
                month = _next_month(month)

    def _first_months(self, window: Window) -> dict[int, date]:
        first: dict[int, date] = {}
        known = Event.objects.all()
        for pk, month in known.values_list("reporter_id").annotate(m=Min("period")).order_by():
            first[pk] = month
        held = Posting.objects.all()
        for pk, month in held.values_list("holder_id").annotate(m=Min("period")).order_by():
            first[pk] = min(month, first.get(pk, month))
        return first

    def _finding(self, enterprise_id: int, identifier: str, month: date) -> Finding:
        return Finding(
            rule=self.name,
            key=f"{identifier}|{month:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=enterprise_id,
            period=month,
            explanation=(
                f"{identifier} has not closed its {month:%Y-%m} report; the deadline was "
                f"{_deadline(month)}."
            ),
            figures={
                "expected": str(_deadline(month)),
                "observed": None,
                "tolerance": 0,
                "unit": "date",
            },
            shared=self.params["share"],
        )


VOLUME_FLOWS = (
    Flow.ORIGIN,
    Flow.RECEIVED,
    Flow.PRODUCED,
    Flow.SHIPPED,
    Flow.EXPORTED,
    Flow.CONSUMED,
)


@dataclass
class Activity:
    """One holder's months: REO moved in and out of stock (volume) and REO it mined."""

    volume: dict[date, float] = field(default_factory=lambda: defaultdict(float))
    mined: dict[date, float] = field(default_factory=lambda: defaultdict(float))


def monthly_activity(window: Window, source=None) -> dict[int, Activity]:
    """Per holder and month: the REO it moved in and out of stock and what it mined."""
    source = source or DATABASE
    found: dict[int, Activity] = defaultdict(Activity)
    rows = source.metal(window, keys=("holder_id", "period", "flow"), flows=VOLUME_FLOWS)
    for holder, period, _flow, element, metal in rows:
        found[holder].volume[period] += abs(reo(element, metal / MG_PPB_PER_KG))
    mined = source.metal(
        window, keys=("holder_id", "period"), flows=(Flow.ORIGIN,), net_kind=EventKind.MINE
    )
    for holder, period, element, metal in mined:
        found[holder].mined[period] += reo(element, metal / MG_PPB_PER_KG)
    return found


def quota_spent_before(enterprise_id: int, month: date, source=None) -> bool:
    """Whether the enterprise's mining quota for `month`'s year had less left, in some
    column, before `month` than the enterprise's median mined lot takes of it: another
    lot would overrun it, so an honest mine stops."""
    quotas = {
        q.pk: limits_kg(q)
        for q in Quota.objects.filter(
            enterprise_id=enterprise_id, year=month.year, kind=QuotaKind.MINING
        )
    }
    window = Window(None, None, None)  # type: ignore[arg-type]
    for quota_id, uses in mining_uses(list(quotas), window, source).items():
        before = [u for u in uses.values() if u.event.period < month]
        for column, limit in quotas[quota_id].items():
            lots = [u.reo[column] for u in before if u.reo[column] > 0]
            left = limit - sum(lots)
            if lots and left < rules.trailing_median(lots):
                return True
    return False


class VolumeDrop(Check):
    """A month whose reported REO throughput fell far below the enterprise's own history.

    Volume is the REO that entered the enterprise's stock (origins, receipts,
    transformation outputs) plus what left it (shipments, exports, transformation
    inputs): an enterprise that only sells from stock in a month still reports.
    Parameters: `history_months` (the trailing months whose
    median is the reference; each must have had throughput), `min_fraction` (a month
    below this share of that median fires), `min_median_reo_kg` (ignore enterprises
    smaller than this), `severity`, `share`. Judged once the month's report deadline
    has passed (`--as-of`) and only up to the newest month any event is dated in, so
    a month still being reported is not a drop.

    Judged: enterprises that mine. One that does not mine moves no more than it held
    and was sent, and its volume counts what it was sent (receipts, imports, collected
    scrap), so its low month is always a month of low supply: its suppliers' lull (on
    the small seed-23 honest chain a separator that no ore reached in 2025-09, holding
    none, raised one), a stock held back for a better price, or a buyer's lumpy
    purchases, not by itself activity off its books. What is sent to it unrecorded is
    found on the seller's side (shipment_unconfirmed, short_receipt), what it holds and
    sells off the books by phantom_stock and the loss rules. A mine whose year's quota
    had less left before the month than its median lot may mine no more: no finding
    either. A mine that stops with quota left is found.
    """

    name = "volume_drop"
    title = "reported volume dropped"
    # not incremental: a month becomes judgeable when its deadline passes, with or
    # without new events, and its volume is history for the months after it

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        horizon = (self.source or DATABASE).latest_period()
        if horizon is None:
            return
        today = window.as_of.astimezone(CHINA_TIME).date()
        per_enterprise = monthly_activity(Window(None, window.end, window.as_of), self.source)
        names = dict(Enterprise.objects.filter(country="CN").values_list("pk", "identifier"))
        n = p["history_months"]
        for enterprise_id, activity in sorted(per_enterprise.items()):
            volumes = activity.volume
            if enterprise_id not in names or not volumes:
                continue
            month = add_months(min(volumes), n)
            while month <= horizon and _deadline(month) < today:
                if window.contains(month):
                    history = [volumes.get(add_months(month, -k), 0.0) for k in range(n, 0, -1)]
                    observed = volumes.get(month, 0.0)
                    if rules.volume_dropped(
                        observed,
                        history,
                        min_fraction=p["min_fraction"],
                        min_median=p["min_median_reo_kg"],
                    ) and not self._explained(enterprise_id, activity, month):
                        yield self._finding(
                            enterprise_id, names[enterprise_id], month, observed, history
                        )
                month = _next_month(month)

    def _explained(self, enterprise_id: int, activity: Activity, month: date) -> bool:
        """Why the month is low, when the ledger says (see the class docstring)."""
        mines = any(activity.mined.get(add_months(month, -k), 0.0) > 0 for k in range(4))
        return not mines or quota_spent_before(enterprise_id, month, self.source)

    def _finding(self, enterprise_id, identifier, month, observed, history) -> Finding:
        median = rules.trailing_median(history)
        n = len(history)
        return Finding(
            rule=self.name,
            key=f"{identifier}|{month:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=enterprise_id,
            period=month,
            explanation=(
                f"{identifier} reported {kg(observed)} kg REO moved in {month:%Y-%m}, "
                f"{observed / median:.0%} of the median of its previous {n} months "
                f"({kg(median)} kg REO). A sudden drop in what an active enterprise reports "
                "may mean activity continues off the books."
            ),
            figures={
                "expected": kg(self.params["min_fraction"] * median),
                "observed": kg(observed),
                "tolerance": self.params["min_fraction"],
                "unit": "kg REO",
                "median_reo_kg": kg(median),
                "history_reo_kg": {
                    f"{add_months(month, k - n):%Y-%m}": kg(v) for k, v in enumerate(history)
                },
            },
            shared=self.params["share"],
        )
