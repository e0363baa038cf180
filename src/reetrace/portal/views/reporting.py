"""Reporting by form: one page per event kind, and closing a month.

Writes go through `batch_capture` (one event per form) and `month_close`; the
errors they raise are shown next to the field they name.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission as P
from reetrace.core.tables import Column, Table
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.choices import Bucket, EventKind, Flow
from reetrace.portal import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.forms.events import EVENT_FORMS, capture_errors_show
from reetrace.portal.tables import export_or_render
from reetrace.reporting.services import month_close, month_totals
from reetrace.trace.selectors import stock_of, transaction_register

DATALIST_MAX = 200  # a longer list is searched as the user types (`suggest`)
SUGGESTIONS = 20
LISTS = ("held-lots", "own-quotas", "own-sites", "domestic-parties", "incoming-shipments")


def _options(user, name: str, query: str = "", limit: int | None = None) -> list[tuple[str, str]]:
    """One list of suggestions for the code inputs, as (code, label), narrowed to those
    whose code or label contains `query`; only the user's own enterprise's lots, quotas,
    sites and incoming shipments, and the domestic parties a shipment may name."""
    enterprise = user.enterprise
    if name == "domestic-parties":
        parties = selectors.domestic_parties(exclude=enterprise, query=query, limit=limit)
        return [(e.identifier, e.display_name) for e in parties]
    if name == "held-lots":
        held = [s for s in stock_of(enterprise=enterprise) if s["state"] == "in_stock"]
        options = [(s["lot"], f"{s['product']} · {s['kg']} kg") for s in held]
    elif name == "own-quotas":
        quotas = selectors.quotas_of(enterprise)
        options = [(q.code, f"{q.year} {q.get_kind_display()}") for q in quotas]
    elif name == "own-sites":
        options = [(s.code, s.name) for s in enterprise.sites.all()]
    else:
        incoming = [
            t
            for t in transaction_register(actor=user, buyer=enterprise.identifier)
            if t["received_kg"] < t["kg"]
        ]
        options = [
            (t["event_id"], f"{t['seller_name']} · {t['lot']} · {t['kg'] - t['received_kg']} kg")
            for t in incoming
        ]
    wanted = query.casefold()
    found = [o for o in options if wanted in o[0].casefold() or wanted in o[1].casefold()]
    return found[:limit] if limit else found


def _datalists(user) -> dict[str, dict]:
    """Suggestions for the code inputs: own lots, quotas, sites, customers, shipments.

    A list of more than DATALIST_MAX entries (customers at national scale: thousands of
    enterprises) is not sent with the page; its datalist names the typeahead endpoint
    instead, which portal.js asks as the user types."""
    lists = {}
    for name in LISTS:
        options = _options(user, name, limit=DATALIST_MAX + 1)
        if len(options) > DATALIST_MAX:
            lists[name] = {"options": [], "typeahead": reverse("portal:suggest", args=[name])}
        else:
            lists[name] = {"options": options, "typeahead": ""}
    return lists


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def suggest(request: HttpRequest, name: str) -> JsonResponse:
    """The typeahead of a code input: the first SUGGESTIONS entries of list `name` whose
    code or label contains `?q=`, as the user's enterprise may see them."""
    if name not in LISTS:
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    options = _options(request.user, name, query, limit=SUGGESTIONS)
    return JsonResponse({"options": [{"value": v, "label": label} for v, label in options]})


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def report_index(request: HttpRequest) -> HttpResponse:
    kinds = [(kind, EventKind(kind).label, form.title) for kind, form in EVENT_FORMS.items()]
    return render(request, "portal/report_index.html", {"kinds": kinds})


@portal_page(P.LEDGER_EVENT_CAPTURE, enterprise=True)
def report_event(request: HttpRequest, kind: str) -> HttpResponse:
    """Show the form for one event kind; capture it, or explain each error in place."""
    form_class = EVENT_FORMS.get(kind)
    if form_class is None:
        raise Http404
    products = list(selectors.products_all())
    if request.method != "POST":
        return _event_page(request, form_class(products=products))
    form = form_class(request.POST, products=products)
    if not form.is_valid():
        return _event_page(request, form, status=400)
    try:
        result = batch_capture(actor=request.user, items=[form.event()])
    except BatchRejected as rejected:
        capture_errors_show(form, rejected.errors)
        return _event_page(request, form, status=400)
    except ReetraceError as exc:
        capture_errors_show(form, [exc.as_field_error()])
        return _event_page(request, form, status=400)
    item = result.items[0]
    text = _("Recorded %(kind)s %(event)s.") % {
        "kind": form_class.kind.label,
        "event": item.event.event_id,
    }
    if not item.created:
        text = _("%(event)s was already recorded; nothing changed.") % {
            "event": item.event.event_id
        }
    if item.lot_codes:
        text += " " + _("New lots: %(codes)s.") % {"codes": ", ".join(item.lot_codes)}
    messages.success(request, text)
    return redirect(reverse("portal:report-event", args=[kind]))


def _event_page(request: HttpRequest, form, status: int = 200) -> HttpResponse:
    context = {"form": form, "kind": form.kind, "datalists": _datalists(request.user)}
    return render(request, "portal/report_event.html", context, status=status)


@portal_page(P.REPORTING_REPORT_CLOSE, P.REPORTING_REPORT_READ, enterprise=True)
def close_month(request: HttpRequest) -> HttpResponse:
    """Pick a finished month, see what it declares (downloadable), then close it."""
    enterprise = request.user.enterprise
    today = selectors.today_in_china()
    open_months = selectors.months_open(enterprise, today)
    raw = request.POST.get("period") or request.GET.get("period") or ""
    context: dict = {"open_months": open_months, "period": raw, "error": ""}
    tables: list[Table] = []
    if raw:
        try:
            period = period_parse(raw)
        except ReetraceError as exc:
            context["error"] = exc.message
            return render(request, "portal/close_month.html", context, status=400)
        context["summary"] = _declaration(enterprise, period)
        tables = _declaration_tables(context["summary"])
        if request.method == "POST":
            try:
                report = month_close(actor=request.user, enterprise=enterprise, period=period)
            except ReetraceError as exc:
                context["error"] = exc.message
                return export_or_render(
                    request, "portal/close_month.html", context, tables, status=400
                )
            messages.success(
                request,
                _("%(month)s is closed: %(n)s events declared.")
                % {"month": f"{report.period:%Y-%m}", "n": report.event_count},
            )
            return redirect("portal:dashboard")
    context["closed"] = selectors.closed_reports(enterprise)[:12]
    return export_or_render(request, "portal/close_month.html", context, tables)


def _declaration(enterprise, period) -> dict:
    """What closing declares: kg per flow (stock and transit) and events per kind."""
    totals = month_totals(enterprise=enterprise, period=period)
    flows = []
    for key, kg in totals["kg_by_flow"].items():
        bucket, flow = key.split(":")
        flows.append({"bucket": Bucket(bucket).label, "flow": Flow(flow).label, "kg": kg})
    kinds = [{"kind": EventKind(k).label, "events": n} for k, n in totals["events_by_kind"].items()]
    return {
        "period": period,
        "flows": flows,
        "kinds": kinds,
        "events": sum(k["events"] for k in kinds),
    }


def _declaration_tables(summary: dict) -> list[Table]:
    """The summary as the two tables the page shows, so what is declared can be kept."""
    kinds = Table(
        "declared_events",
        gettext_lazy("Events by kind"),
        [
            Column("kind", gettext_lazy("Event kind")),
            Column("events", gettext_lazy("Events"), "number"),
        ],
        summary["kinds"],
        gettext_lazy("No events: the month is declared empty."),
    )
    flows = Table(
        "declared_flows",
        gettext_lazy("Movements of stock and transit"),
        [
            Column("bucket", gettext_lazy("Stock or transit")),
            Column("flow", gettext_lazy("Movement")),
            Column("kg", gettext_lazy("Mass (kg)"), "kg"),
        ],
        summary["flows"],
        gettext_lazy("No movements."),
    )
    return [kinds, flows]
