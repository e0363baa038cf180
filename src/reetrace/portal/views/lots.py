"""One lot: its facts, its genealogy upstream and downstream, and the way to its label.

The same page serves an enterprise user (its own lots, other parties redacted by
`genealogy_redact`) and the national roles (everything); `lot_visible` decides.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from reetrace.accounts.permissions import Permission as P
from reetrace.core.errors import ReetraceError
from reetrace.ledger.choices import EventKind
from reetrace.ledger.codes import lot_code_validate
from reetrace.portal.access import portal_page
from reetrace.portal.graphs import genealogy_chart, genealogy_edges
from reetrace.portal.tables import Column, Table, export_or_render
from reetrace.portal.templatetags.portal import reo_summary
from reetrace.portal.views.common import http_errors
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.genealogy import genealogy
from reetrace.trace.selectors import lot_visible
from reetrace.trace.visibility import genealogy_redact, lot_out


def _edges_table(rows: list[dict]) -> Table:
    return Table(
        "genealogy",
        _("Genealogy edges"),
        [
            Column("from", _("From")),
            Column("to", _("To")),
            Column("kind", _("Kind")),
            Column("kg", _("Mass (kg)"), "kg"),
            Column("reo", _("REO per element (REO kg)")),
            Column("event_id", _("Event id")),
        ],
        rows,
        _("This lot has no recorded inputs or onward movements."),
    )


def _origins_table(origins: list[dict]) -> Table:
    return Table(
        "origins",
        _("Origins (upstream)"),
        [
            Column("lot", _("Origin lot")),
            Column("kind", _("Kind")),
            Column("enterprise", _("Enterprise")),
            Column("quota", _("Quota")),
            Column("reo", _("Attributed to this lot (REO kg)")),
        ],
        [
            {
                **o,
                "kind": EventKind(o["kind"]).label if o["kind"] in EventKind.values else o["kind"],
                "reo": reo_summary(o["attributed_reo_kg"]),
            }
            for o in origins
        ],
    )


def _composition(lot: dict) -> list[dict]:
    return [
        {"element": el, "name": ELEMENTS[el].name, "fraction": f, "reo_kg": lot["reo_kg"][el]}
        for el, f in sorted(lot["composition"].items())
    ]


@portal_page(P.LEDGER_LOT_READ, P.TRACE_GENEALOGY_READ)
def lot_detail(request: HttpRequest, code: str) -> HttpResponse:
    with http_errors():
        lot = lot_visible(actor=request.user, code=code)
    up = genealogy_redact(genealogy(lot, "up"), actor=request.user)
    down = genealogy_redact(genealogy(lot, "down"), actor=request.user)
    facts = lot_out(lot)
    context = {
        "lot": facts,
        "composition": _composition(facts),
        "chart": genealogy_chart(lot.code, up, down),
        "can_label": request.user.has_permission(P.LEDGER_LOT_READ),
    }
    tables = [_edges_table(genealogy_edges(up, down)), _origins_table(up.origins)]
    return export_or_render(request, "portal/lot_detail.html", context, tables)


@portal_page(P.LEDGER_LOT_READ, P.TRACE_GENEALOGY_READ)
def trace(request: HttpRequest) -> HttpResponse:
    """Enter any lot code; a valid one opens the lot's genealogy."""
    raw = request.GET.get("code", "").strip()
    error = ""
    if raw:
        try:
            return redirect("portal:lot", code=lot_code_validate(raw, field="code"))
        except ReetraceError as exc:
            error = exc.message
    return render(
        request, "portal/trace.html", {"code": raw, "error": error}, status=400 if error else 200
    )
