"""The audit journal for the auditor (counts per action first, then the entries,
filtered and paged, downloadable) and, for an enterprise, who in government read
its data, by office and day."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from reetrace.audit import selectors
from reetrace.audit.choices import AuditAction
from reetrace.audit.outputs import COLUMNS, entry_row
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.portal.access import portal_page
from reetrace.portal.tables import export_or_render
from reetrace.portal.views.common import http_errors

PAGE = 100
DOWNLOAD_MAX = 50_000


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@portal_page(P.AUDIT_JOURNAL_READ)
def journal(request: HttpRequest) -> HttpResponse:
    filters = {
        "action": request.GET.get("action", "") if request.GET.get("action") in AuditAction else "",
        "who": request.GET.get("who", "")[:150],
        "enterprise": request.GET.get("enterprise", "")[:64],
        "since": _day(request.GET.get("since", "")),
        "until": _day(request.GET.get("until", "")),
    }
    with http_errors():
        entries = selectors.entries_filter(actor=request.user, **filters)
    summary = entries.order_by().values("action").annotate(n=Count("pk")).order_by("action")
    labels = dict(AuditAction.choices)
    downloading = request.GET.get("export") == "audit_journal"
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    shown = entries[:DOWNLOAD_MAX] if downloading else page.object_list
    table = Table(
        "audit_journal",
        gettext_lazy("Journal entries"),
        [Column(name, header, "datetime" if name == "at" else "text") for name, header in COLUMNS],
        [entry_row(e) for e in shown],
        gettext_lazy("No entries."),
    )
    context = {
        "filters": {
            **filters,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
        },
        "actions": AuditAction.choices,
        "summary": [{"action": labels.get(r["action"], r["action"]), "n": r["n"]} for r in summary],
        "page": page,
        "query": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page"),
    }
    return export_or_render(request, "portal/audit_journal.html", context, [table])


@portal_page(P.AUDIT_ACCESS_READ, enterprise=True)
def government_reads(request: HttpRequest) -> HttpResponse:
    with http_errors():
        reads = list(selectors.government_reads_of(actor=request.user)[:1000])
    held = selectors.disclosure_held_since(request.user.enterprise.identifier)
    table = Table(
        "government_reads",
        gettext_lazy("Reads of your data by government offices"),
        [
            Column("day", gettext_lazy("Day"), "date"),
            Column("office", gettext_lazy("Office")),
            Column("reads", gettext_lazy("Reads (count)"), "number"),
        ],
        reads,
        gettext_lazy("No government office has read your data."),
    )
    context = {"held": held is not None, "total": sum(r["reads"] for r in reads)}
    return export_or_render(request, "portal/government_reads.html", context, [table])
