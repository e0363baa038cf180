"""Reads the portal needs that no other app offers yet, scoped like theirs.

Views may not query models directly (tests/lint/test_scoping.py); anything a page
shows comes from here, from trace/ledger/registry selectors or from reporting
services. National-only reads take no actor: their views check the permission.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.ledger.models import Event, Shipment
from reetrace.ledger.rules import CHINA_TIME, report_deadline
from reetrace.registry.choices import EnterpriseRole, EnterpriseStatus
from reetrace.registry.models import Enterprise, Product, Quota
from reetrace.reporting.models import MonthlyReport

__all__ = [
    "ReportingStatus",
    "closed_reports",
    "counterparties",
    "domestic_parties",
    "enterprises_search",
    "month_shift",
    "months_open",
    "products_all",
    "quotas_of",
    "events_reported",
    "reporting_counts",
    "reporting_laggards",
    "reporting_status",
    "stock_by_product",
    "this_month",
    "today_in_china",
]

# Enterprises that report their own chain activity every month.
REPORTING_ROLES = [
    EnterpriseRole.MINER,
    EnterpriseRole.SEPARATOR,
    EnterpriseRole.METAL_MAKER,
    EnterpriseRole.MAGNET_MAKER,
    EnterpriseRole.TRADER,
    EnterpriseRole.EXPORTER,
    EnterpriseRole.RECYCLER,
]


def month_shift(period: date, months: int) -> date:
    """The first day of the month `months` away from `period`."""
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def this_month(today: date) -> date:
    return date(today.year, today.month, 1)


def products_all() -> QuerySet[Product]:
    """The product catalogue (a reference table, public within the system)."""
    return Product.objects.order_by("code")


def quotas_of(enterprise: Enterprise) -> QuerySet[Quota]:
    return Quota.objects.filter(enterprise=enterprise).order_by("-year", "code")


def domestic_parties(
    *, exclude: Enterprise | None = None, query: str = "", limit: int | None = 500
) -> list[Enterprise]:
    """Registered domestic enterprises, the customers a shipment may name; with `query`,
    those whose identifier or name contains it."""
    rows = Enterprise.objects.filter(country="CN", status=EnterpriseStatus.ACTIVE)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    if query:
        rows = rows.filter(
            Q(identifier__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_zh__icontains=query)
        )
    rows = rows.order_by("identifier")
    return list(rows[:limit] if limit else rows)


def enterprises_search(query: str = "") -> QuerySet[Enterprise]:
    """Registered parties whose identifier or name contains `query`, all of them (the
    register page pages them; it once showed only the first 200)."""
    rows = Enterprise.objects.order_by("identifier")
    if query:
        rows = rows.filter(
            Q(identifier__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_zh__icontains=query)
        )
    return rows


def closed_reports(enterprise: Enterprise) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(enterprise=enterprise).select_related("closed_by")


def events_reported(*, actor: User) -> QuerySet[Event]:
    """The events the actor's enterprise reported (not those merely addressed to it).

    Its own events are visible to it by definition, so the list reads them by reporter
    alone: through `events_visible` every count and page also joined the shipments to
    test whether the enterprise bought them (70 ms each for a separator's year at
    medium scale)."""
    return Event.objects.filter(reporter_id=actor.enterprise_id)


@dataclass
class ReportingStatus:
    current: date
    current_deadline: date
    previous: date
    previous_deadline: date
    previous_closed: MonthlyReport | None
    overdue: bool
    open_months: list[date]


def reporting_status(enterprise: Enterprise, today: date) -> ReportingStatus:
    """This month's deadline, and whether last month is closed or overdue."""
    day = settings.REETRACE_REPORT_DEADLINE_DAY
    current = this_month(today)
    previous = month_shift(current, -1)
    closed = closed_reports(enterprise).filter(period=previous).first()
    deadline = report_deadline(previous, day)
    return ReportingStatus(
        current=current,
        current_deadline=report_deadline(current, day),
        previous=previous,
        previous_deadline=deadline,
        previous_closed=closed,
        overdue=closed is None and today > deadline,
        open_months=months_open(enterprise, today),
    )


def months_open(enterprise: Enterprise, today: date, back: int = 12) -> list[date]:
    """Finished months of the last year that are not closed yet, newest first."""
    current = this_month(today)
    candidates = [month_shift(current, -n) for n in range(1, back + 1)]
    closed = set(closed_reports(enterprise).values_list("period", flat=True))
    return [m for m in candidates if m not in closed]


def stock_by_product(lines: list[dict]) -> list[dict]:
    """stock_of() lines summed per product and state: kg and REO kg per element."""
    groups: dict[tuple[str, str], dict] = {}
    for line in lines:
        key = (line["product"], line["state"])
        group = groups.setdefault(
            key,
            {"product": key[0], "state": key[1], "lots": 0, "kg": Decimal(0), "reo_kg": {}},
        )
        group["lots"] += 1
        group["kg"] += line["kg"]
        for element, reo in line["reo_kg"].items():
            group["reo_kg"][element] = group["reo_kg"].get(element, Decimal(0)) + reo
    return [groups[k] for k in sorted(groups)]


def reporting_laggards(period: date, today: date) -> list[dict]:
    """Active domestic chain enterprises that have not closed `period`, with their events
    that month counted by the (reporter, period) index (a join counted every event
    they ever reported: 0.4 s with a fifth of the medium year loaded)."""
    closed = MonthlyReport.objects.filter(period=period).values("enterprise_id")
    rows = list(
        Enterprise.objects.filter(
            country="CN", status=EnterpriseStatus.ACTIVE, roles__role__in=REPORTING_ROLES
        )
        .exclude(pk__in=closed)
        .order_by("identifier")
        .distinct()
    )
    month = Event.objects.filter(period=period, reporter__in=[e.pk for e in rows])
    events = dict(
        month.values("reporter").annotate(n=Count("pk")).order_by().values_list("reporter", "n")
    )
    deadline = report_deadline(period, settings.REETRACE_REPORT_DEADLINE_DAY)
    return [
        {
            "identifier": e.identifier,
            "name": e.display_name,
            "province": e.province,
            "events": events.get(e.pk, 0),
            "deadline": deadline,
            "overdue": today > deadline,
        }
        for e in rows
    ]


def reporting_counts(period: date) -> dict:
    """How many chain enterprises closed `period`, and how many of them late."""
    closed = MonthlyReport.objects.filter(period=period)
    return {
        "closed": closed.count(),
        "late": closed.filter(is_late=True).count(),
    }


def counterparties(enterprise: Enterprise) -> list[dict]:
    """Who the enterprise sold to and bought from: kg and shipment count per party."""
    live = Shipment.objects.filter(event__corrected_by__isnull=True)
    found: dict[tuple[str, str], dict] = defaultdict(dict)
    for direction, rows in (
        ("sold_to", live.filter(seller=enterprise).values("buyer__identifier", "buyer__name_en")),
        (
            "bought_from",
            live.filter(buyer=enterprise).values("seller__identifier", "seller__name_en"),
        ),
    ):
        for row in rows.annotate(kg=Sum("kg"), shipments=Count("pk")).order_by():
            identifier, name = list(row.values())[:2]
            found[(direction, identifier)] = {
                "direction": direction,
                "identifier": identifier,
                "name": name or identifier,
                "kg": row["kg"],
                "shipments": row["shipments"],
            }
    return sorted(found.values(), key=lambda r: (r["direction"], -r["kg"]))


def today_in_china() -> date:
    """Today's date where reporting months and deadlines are kept."""
    return timezone.now().astimezone(CHINA_TIME).date()
