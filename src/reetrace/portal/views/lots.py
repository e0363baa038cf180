"""One lot: its facts, its genealogy upstream and downstream, and the way to its label.

The same page serves an enterprise user (its own lots, other parties redacted) and
the national roles (everything); `lot_visible` and `genealogy_visible` decide.

The genealogy is bounded: the nearest `?limit=` lots each way (within `?depth=`
generations if given), so a lot whose material reached tens of thousands of lots
still opens at once. The page says where the graph stops, summarises each
generation, and offers the next larger limit.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.routing import replica_reads
from reetrace.core.tables import Column, Table
from reetrace.ledger.choices import EventKind
from reetrace.ledger.codes import lot_code_validate
from reetrace.portal.access import portal_page
from reetrace.portal.graphs import genealogy_chart, genealogy_edges
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.templatetags.portal import reo_summary
from reetrace.portal.views.common import http_errors
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.genealogy import DEFAULT_LIMIT, MAX_LIMIT, Genealogy, bounds_check
from reetrace.trace.outputs import lot_out
from reetrace.trace.selectors import genealogy_visible, lot_visible


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


def _generations_table(graph: Genealogy) -> Table:
    up = graph.direction == "up"
    columns = [
        Column("depth", _("Generation")),
        Column("lots", _("Lots"), "number"),
        Column("kg", _("Mass made (kg)"), "kg"),
        Column("producers", _("Producers"), "number"),
    ]
    if up:
        columns.append(Column("origins", _("Origin lots"), "number"))
    else:
        columns += [
            Column("shipments", _("Shipments"), "number"),
            Column("shipped_kg", _("Shipped (kg)"), "kg"),
            Column("holders", _("Buyers"), "number"),
            Column("exports", _("Exports"), "number"),
            Column("export_kg", _("Exported (kg)"), "kg"),
        ]
    columns.append(Column("shown", _("Shown")))
    rows = [
        {**row, "shown": _("all") if row["complete"] else _("partly")} for row in graph.generations
    ]
    title = _("Generations upstream") if up else _("Generations downstream")
    return Table(f"generations_{graph.direction}", title, columns, rows)


def _unresolved_table(graph: Genealogy) -> Table:
    return Table(
        "unresolved",
        _("Not yet attributed: REO flowing beyond the lots shown"),
        [
            Column(
                "lot",
                _("Frontier lot"),
                "link",
                link=link_to("portal:lot", "lot"),
            ),
            Column("depth", _("Generation")),
            Column("enterprise", _("Enterprise")),
            Column("links_beyond", _("Links beyond"), "number"),
            Column("reo", _("REO kg not yet attributed")),
        ],
        [{**u, "reo": reo_summary(u["reo_kg"])} for u in graph.unresolved],
    )


def _bounds(request: HttpRequest) -> tuple[int, int | None]:
    """`?limit=` and `?depth=` as numbers in range; anything else is a 400 naming them."""
    values = {}
    for name in ("limit", "depth"):
        raw = request.GET.get(name, "").strip()
        if not raw:
            values[name] = None
            continue
        try:
            values[name] = int(raw)
        except ValueError as exc:
            raise BadRequest(f"{name} must be a whole number, not {raw!r}") from exc
    limit = DEFAULT_LIMIT if values["limit"] is None else values["limit"]
    try:
        bounds_check(limit, values["depth"])
    except ReetraceError as exc:
        raise BadRequest(exc.message) from exc
    return limit, values["depth"]


def _composition_table(lot: dict) -> Table:
    rows = [
        {
            "element": f"{el} · {ELEMENTS[el].name}",
            "percent": f * 100,
            "reo_kg": lot["reo_kg"][el],
        }
        for el, f in sorted(lot["composition"].items())
    ]
    return Table(
        "composition",
        _("Composition"),
        [
            Column("element", _("Element")),
            Column("percent", _("Mass fraction as metal (%)"), "number3"),
            Column("reo_kg", _("Content (REO kg)"), "reo"),
        ],
        rows,
    )


@portal_page(P.LEDGER_LOT_READ, P.TRACE_GENEALOGY_READ)
@replica_reads
def lot_detail(request: HttpRequest, code: str) -> HttpResponse:
    limit, depth = _bounds(request)
    with http_errors():
        lot = lot_visible(actor=request.user, code=code)
    bounds = {"limit": limit, "depth": depth}
    up = genealogy_visible(actor=request.user, code=lot.code, direction="up", **bounds)
    down = genealogy_visible(actor=request.user, code=lot.code, direction="down", **bounds)
    facts = lot_out(lot)
    larger = next((n for n in (1_000, MAX_LIMIT) if n > limit), None)
    context = {
        "lot": facts,
        "chart": genealogy_chart(lot.code, up, down),
        "can_label": request.user.has_permission(P.LEDGER_LOT_READ),
        "up": up,
        "down": down,
        "limit": limit,
        "depth": depth,
        "lots_shown": {
            g.direction: sum(1 for n in g.nodes.values() if n["type"] == "lot") for g in (up, down)
        },
        "larger_limit": larger if (up.truncated or down.truncated) else None,
    }
    tables = [
        _composition_table(facts),
        _edges_table(genealogy_edges(up, down)),
        _origins_table(up.origins),
        _unresolved_table(up),
        _generations_table(up),
        _generations_table(down),
    ]
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
