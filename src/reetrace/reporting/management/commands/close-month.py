"""`reetrace close-month ENTERPRISE PERIOD`: declare a finished month complete.

For operators closing on an enterprise's behalf (a back-office request, a batch
after a historical load). The printed totals are what the month now declares;
later events dated in it are accepted only as corrections.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from rich.table import Table

from reetrace.accounts.management.console import (
    ReetraceCommand,
    acting_user,
    enterprise_get,
    kg_text,
)
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission
from reetrace.ledger.choices import Bucket, Flow
from reetrace.reporting.models import MonthlyReport
from reetrace.reporting.services import month_close


class Command(ReetraceCommand):
    help = "Close an enterprise's reporting month and print the totals it declares."

    def add_arguments(self, parser):
        parser.add_argument("enterprise", help="enterprise identifier")
        parser.add_argument("period", help="month, e.g. 2025-03")
        parser.add_argument("--as", dest="username", help="acting user (default: the admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        period = period_parse(options["period"])
        enterprise = enterprise_get(options["enterprise"])
        actor = acting_user(options["username"], Permission.REPORTING_REPORT_CLOSE)
        report = month_close(actor=actor, enterprise=enterprise, period=period)
        console = self.console()
        console.print(_title(report), style="bold")
        console.print(_caption(report) + (" (closed late)" if report.is_late else ""))
        console.print(_totals_table(report))


def _totals_table(report: MonthlyReport) -> Table:
    table = Table("bucket", "flow", "kg", title="declared kg by bucket and flow")
    table.columns[-1].justify = "right"
    for key, kg in report.totals["kg_by_flow"].items():
        bucket, _, flow = key.partition(":")
        table.add_row(_label(Bucket, bucket), _label(Flow, flow), kg_text(Decimal(kg)))
    if not report.totals["kg_by_flow"]:
        table.add_row("", "no movements", "")
    return table


def _label(choices, value: str) -> str:
    """The readable name of a stored code ('S' -> 'stock'); unknown codes are shown as-is."""
    return str(choices(value).label) if value in choices.values else value


def _title(report: MonthlyReport) -> str:
    name = report.enterprise.display_name
    return f"{report.enterprise.identifier} {name}: {report.period:%Y-%m} closed"


def _caption(report: MonthlyReport) -> str:
    kinds = ", ".join(f"{kind} {n}" for kind, n in report.totals["events_by_kind"].items())
    closed = timezone.localtime(report.closed_at)
    return (
        f"{report.event_count} events ({kinds or 'none'}); closed {closed:%Y-%m-%d %H:%M} "
        f"by {report.closed_by.username}; deadline {report.deadline:%Y-%m-%d}"
    )
