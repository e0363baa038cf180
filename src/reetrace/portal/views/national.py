"""The national picture for regulators, auditors, customs and licensing officers:
flows of one element as a Sankey, exports by destination, who has not reported,
and the enterprise pages they drill down to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from reetrace.compliance import selectors as compliance_selectors
from reetrace.compliance.choices import QuotaStatus
from reetrace.core.errors import ReetraceError
from reetrace.core.periods import period_parse
from reetrace.core.permissions import Permission as P
from reetrace.core.routing import replica_reads
from reetrace.core.tables import Column, Table
from reetrace.portal import selectors
from reetrace.portal.access import portal_page
from reetrace.portal.flows import element_flows, top_and_other
from reetrace.portal.tables import export_or_render, link_to
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.selectors import export_summary

GROUPS = {"light": _("light"), "medium_heavy": _("medium and heavy")}
ELEMENT_CHOICES = [(s, f"{s} · {e.name} · {e.name_zh}") for s, e in ELEMENTS.items()]


class PeriodForm(forms.Form):
    start = forms.CharField(label=_("From month"), widget=forms.TextInput(attrs={"type": "month"}))
    end = forms.CharField(label=_("To month"), widget=forms.TextInput(attrs={"type": "month"}))
    element = forms.ChoiceField(label=_("Element"), choices=ELEMENT_CHOICES)

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if name in data:
                try:
                    data[name] = period_parse(data[name], field=name)
                except ReetraceError as exc:
                    self.add_error(name, exc.message)
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("end", _("must not be before the first month"))
        return data


def period_form(request: HttpRequest) -> tuple[PeriodForm, date, date, str]:
    """The chosen months and element, defaulting to the last twelve months and Dy."""
    end = selectors.this_month(selectors.today_in_china())
    start = selectors.month_shift(end, -11)
    initial = {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}", "element": "Dy"}
    form = PeriodForm({**initial, **request.GET.dict()})
    if form.is_valid():
        data = form.cleaned_data
        return form, data["start"], data["end"], data["element"]
    return form, start, end, "Dy"


def export_volumes(cells: list[dict]) -> dict:
    """Export kg per destination per month, shaped for a stacked bar chart: the ten
    biggest destinations of the period and one bar part for all the others."""
    months = sorted({c["month"] for c in cells})
    totals: dict[str, float] = defaultdict(float)
    for c in cells:
        totals[c["destination"]] += float(c["kg"])
    kept, others = top_and_other(totals)
    other = str(_("Other destinations (%(n)s)") % {"n": len(others)})
    series: dict[str, dict[str, float]] = {
        name: {} for name in [*kept, *([other] if others else [])]
    }
    for c in cells:
        name = other if c["destination"] in others else c["destination"]
        series[name][c["month"]] = series[name].get(c["month"], 0) + float(c["kg"])
    return {
        "months": months,
        "series": [{"name": d, "values": [v.get(m, 0) for m in months]} for d, v in series.items()],
    }


def exports_table(cells: list[dict]) -> Table:
    return Table(
        "exports_by_destination",
        _("Exports by month, destination and HS code"),
        [
            Column("month", _("Month")),
            Column("destination", _("Destination")),
            Column("hs_code", _("HS code")),
            Column("kg", _("Mass (kg)"), "kg"),
        ],
        cells,
        _("No exports in this period."),
    )


def quota_table(actor, year: int) -> Table:
    """Each quota of the year: t REO used and allowed per element group, share and status.

    The status is where the 90 % warning shows (it is not an alert; only an
    overrun is, and the alert names the crossing).
    """
    rows = []
    for use in compliance_selectors.quota_use(actor=actor, year=year):
        quota = use.quota
        rows.append(
            {
                "quota": quota.code,
                "enterprise": quota.enterprise.display_name,
                "kind": quota.get_kind_display(),
                "group": GROUPS[use.group],
                "used_t": round(use.used_kg / 1000, 3),
                "limit_t": use.quota_kg / 1000,
                "share": "—" if use.percent is None else f"{use.percent:.1f}%",
                "status": QuotaStatus(use.status).label,
            }
        )
    return Table(
        "quota_use",
        _("Quota use per group, %(year)s (t REO)") % {"year": year},
        [
            Column("quota", _("Quota")),
            Column("enterprise", _("Enterprise")),
            Column("kind", _("Kind")),
            Column("group", _("Element group")),
            Column("used_t", _("Used (t REO)"), "number3"),
            Column("limit_t", _("Quota (t REO)"), "number3"),
            Column("share", _("Used (%)")),
            Column("status", _("Status")),
        ],
        rows,
        _("No quotas for this year."),
    )


def _laggards_table(period: date) -> Table:
    return Table(
        "not_closed",
        _("Not closed: %(month)s") % {"month": f"{period:%Y-%m}"},
        [
            Column(
                "identifier",
                _("Enterprise"),
                "link",
                link_to("portal:enterprise", "identifier"),
            ),
            Column("name", _("Name")),
            Column("province", _("Province")),
            Column("events", _("Events that month"), "number"),
            Column("deadline", _("Deadline"), "date"),
        ],
        selectors.reporting_laggards(period, selectors.today_in_china()),
        _("Every reporting enterprise has closed this month."),
    )


@portal_page(P.TRACE_GENEALOGY_READ, P.TRACE_EXPORT_SUMMARY_READ)
@replica_reads
def overview(request: HttpRequest) -> HttpResponse:
    """Sankey of one element's flows, export volumes, and last month's reporting gaps."""
    form, start, end, element = period_form(request)
    flows = element_flows(element=element, start=start, end=end)
    cells = export_summary(start=start, end=end, min_exporters=1)
    flows_table = Table(
        "flows",
        _("Flows of %(element)s (REO kg)") % {"element": element},
        [
            Column("source", _("From")),
            Column("target", _("To")),
            Column("reo_kg", _("%(element)s (REO kg)") % {"element": element}, "reo"),
        ],
        flows.rows(),
        _("No flows of this element in this period."),
    )
    tables = [flows_table, exports_table(cells)]
    context = {
        "form": form,
        "element": element,
        "sankey": flows.chart(),
        "volumes": export_volumes(cells),
    }
    if request.user.has_permission(P.REGISTRY_QUOTA_READ):
        tables.append(quota_table(request.user, end.year))
    if request.user.has_permission(P.REPORTING_REPORT_READ):
        previous = selectors.month_shift(selectors.this_month(selectors.today_in_china()), -1)
        tables.append(_laggards_table(previous))
        context["reporting"] = {"period": previous, **selectors.reporting_counts(previous)}
    return export_or_render(request, "portal/national.html", context, tables)
