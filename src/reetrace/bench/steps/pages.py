"""Every page of every demo role's navigation: server time and HTML size, beside the
bare query behind the page.

Each page is asked `repeat` times in process through Django's test client (the
whole request: middleware, access check, audit journal, queries, template), signed
in as the demo user of the role, after a first request that is reported apart
(`first_ms`: the page's caches and templates filled) and not counted in p50/p95.
The baseline is the one query that fetches what the page is about (its main list's
first page and count, or its aggregate), timed the same number of times, so the
ratio says what the page costs beyond reading its data.

The budget (issue 19): at most 1 s server time at small scale on SQLite (300 ms at
medium on PostgreSQL) and at most 400 KB of HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import resolve

from reetrace.accounts.models import User
from reetrace.bench.measure import percentile
from reetrace.compliance.models import Alert
from reetrace.portal.navigation import nav_for
from reetrace.synth.demo import demo_users

__all__ = ["BARE", "BUDGET_BYTES", "BUDGET_MS", "pages"]

BUDGET_MS = {"sqlite": 1000.0, "postgresql": 300.0}
BUDGET_BYTES = 400 * 1000

# The bare query behind each page: what the page reads, without computing or drawing.
BARE: dict[str, str] = {
    "portal:dashboard": (
        "SELECT lot_id, SUM(kg) FROM ledger_posting WHERE holder_id = %(enterprise)s "
        "AND bucket = 'S' GROUP BY lot_id HAVING SUM(kg) <> 0"
    ),
    "portal:lots": (
        "SELECT lot_id, SUM(kg) FROM ledger_posting WHERE holder_id = %(enterprise)s "
        "AND bucket = 'S' GROUP BY lot_id HAVING SUM(kg) <> 0"
    ),
    "portal:report": "SELECT COUNT(*) FROM registry_product",
    "portal:upload": "SELECT COUNT(*) FROM registry_product",
    "portal:close": (
        "SELECT period, COUNT(*) FROM ledger_event WHERE reporter_id = %(enterprise)s "
        "GROUP BY period"
    ),
    "portal:government-reads": "SELECT * FROM audit_auditentry ORDER BY id DESC LIMIT 50",
    "portal:national": (
        "SELECT route, source_kind, source_form, target, SUM(reo_ug) "
        "FROM ledger_monthlymovement WHERE element = 'Dy' "
        "GROUP BY route, source_kind, source_form, target"
    ),
    "portal:enterprises": "SELECT * FROM registry_enterprise ORDER BY identifier LIMIT 50",
    "portal:trace": "SELECT * FROM ledger_lot ORDER BY id DESC LIMIT 50",
    "portal:exports": (
        "SELECT period, destination, hs_code, SUM(kg), COUNT(*) FROM ledger_monthlyexport "
        "WHERE kg <> 0 GROUP BY period, destination, hs_code"
    ),
    "compliance:alerts": (
        "SELECT * FROM compliance_alert ORDER BY severity, period DESC, id DESC LIMIT 50"
    ),
    "compliance:cases": "SELECT * FROM compliance_case ORDER BY id DESC LIMIT 50",
    "compliance:risk": (
        "SELECT enterprise_id, COUNT(*) FROM compliance_alert GROUP BY enterprise_id"
    ),
    "exportcontrol:applications": (
        "SELECT * FROM exportcontrol_application ORDER BY created_at DESC, id DESC LIMIT 50"
    ),
    "exportcontrol:desk": "SELECT * FROM exportcontrol_application WHERE state <> 'draft'",
    "exportcontrol:statistics": (
        "SELECT decision_working_days, COUNT(*) FROM exportcontrol_application "
        "GROUP BY decision_working_days"
    ),
    "exportcontrol:vetting": "SELECT * FROM exportcontrol_vettedexporter LIMIT 50",
    "exportcontrol:refused": "SELECT * FROM exportcontrol_refusedexport ORDER BY id DESC LIMIT 50",
    "reconciliation:datasets": "SELECT * FROM reconciliation_partnerdataset",
    "reconciliation:submissions": "SELECT * FROM reconciliation_submission LIMIT 50",
    "portal:audit": "SELECT * FROM audit_auditentry ORDER BY id DESC LIMIT 50",
}


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, list[float], object]:
    """The first call's ms (caches, the first compile of each template), then `repeat`."""
    times, value = [], None
    for _ in range(repeat + 1):
        start = time.perf_counter()
        value = call()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], times[1:], value


def _bare(url_name: str, user, repeat: int) -> float | None:
    statement = BARE.get(url_name)
    if statement is None:
        return None

    def query():
        with connection.cursor() as cursor:
            cursor.execute(statement, {"enterprise": user.enterprise_id})
            return cursor.fetchall()

    _first, times, _ = _timed(query, repeat)
    return round(percentile(times, 50), 2)


def pages(repeat: int = 5) -> dict:
    """p50/p95 server time and HTML size of every navigation page per demo role.

    Detection runs first when the loaded year has no alerts yet, as `make demo` does,
    so the alert pages list what they would list."""
    if not Alert.objects.exists():
        call_command("detect", stdout=StringIO())
    budget_ms = BUDGET_MS.get(connection.vendor, BUDGET_MS["sqlite"])
    rows = []
    for login in demo_users():
        user = User.objects.get(username=login.username)
        client = Client()
        client.force_login(user)
        for item in nav_for(user):
            url_name = _url_name(item["url"])
            first, times, response = _timed(lambda c=client, url=item["url"]: c.get(url), repeat)
            size = len(response.content)  # type: ignore[attr-defined]
            p50, p95 = percentile(times, 50), percentile(times, 95)
            rows.append(
                {
                    "user": login.username,
                    "role": login.role,
                    "page": item["url"],
                    "status": response.status_code,  # type: ignore[attr-defined]
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "first_ms": round(first, 1),
                    "bytes": size,
                    "bare_p50_ms": _bare(url_name, user, repeat),
                    "within_budget": p95 <= budget_ms and size <= BUDGET_BYTES,
                }
            )
    return {
        "repeat": repeat,
        "budget_ms": budget_ms,
        "budget_bytes": BUDGET_BYTES,
        "pages": rows,
        "over_budget": [f"{r['user']} {r['page']}" for r in rows if not r["within_budget"]],
    }


def _url_name(url: str) -> str:
    match = resolve(url)
    return f"{match.namespace}:{match.url_name}"
