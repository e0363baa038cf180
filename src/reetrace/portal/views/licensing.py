"""The licensing desk: the queue by due date, the officer's decisions, and the
statistics charts (lead times, backlog) drawn with the portal's own plotly."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission as P
from reetrace.core.routing import replica_reads
from reetrace.core.tables import Column, Table
from reetrace.exportcontrol import selectors
from reetrace.exportcontrol.choices import OFFICER_ACTIONS
from reetrace.exportcontrol.choices import ApplicationState as S
from reetrace.exportcontrol.services.workflow import application_transition
from reetrace.exportcontrol.stats import licensing_stats
from reetrace.portal.access import portal_page
from reetrace.portal.forms.licences import DecisionForm
from reetrace.portal.tables import export_or_render, link_to
from reetrace.portal.views.common import http_errors
from reetrace.portal.views.licences import _actions, application_page, state_of


def queue_table(queue: list[dict]) -> Table:
    rows = []
    for entry in queue:
        a, clock = entry["application"], entry["clock"]
        rows.append(
            {
                "number": a.number,
                "state": a.get_state_display(),
                "applicant": a.applicant.display_name,
                "destination": a.destination,
                "submitted_at": a.submitted_at,
                "due_date": clock.due if clock else None,
                "provisional": _("provisional") if clock and clock.provisional else "",
                "days_left": clock.left if clock else None,
                "overdue": _("overdue") if clock and clock.overdue else "",
                "days_elapsed": clock.elapsed if clock else None,
            }
        )
    return Table(
        "queue",
        gettext_lazy("Open applications, due soonest first"),
        [
            Column(
                "number",
                gettext_lazy("Application"),
                "link",
                link_to("exportcontrol:application", "number"),
            ),
            Column("state", gettext_lazy("State")),
            Column("applicant", gettext_lazy("Applicant")),
            Column("destination", gettext_lazy("Destination")),
            Column("submitted_at", gettext_lazy("Submitted at"), "datetime"),
            Column("due_date", gettext_lazy("Due date"), "date"),
            Column("provisional", gettext_lazy("Provisional")),
            Column("days_left", gettext_lazy("Working days left (days)"), "number"),
            Column("days_elapsed", gettext_lazy("Working days elapsed (days)"), "number"),
            Column("overdue", gettext_lazy("Overdue")),
        ],
        rows,
        gettext_lazy("Nothing waiting."),
    )


@portal_page(P.EXPORTCONTROL_APPLICATION_DECIDE)
def desk(request: HttpRequest) -> HttpResponse:
    """What the officers must decide, ordered by the statutory due date."""
    queue = selectors.desk_queue(actor=request.user, today=selectors.today())
    return export_or_render(request, "portal/desk.html", {}, [queue_table(queue)])


def _decide(request, application, form):
    data = form.cleaned_data
    return application_transition(
        actor=request.user, application=application, action=data["action"], comment=data["comment"]
    )


@require_POST
@portal_page(P.EXPORTCONTROL_APPLICATION_DECIDE)
def decide(request: HttpRequest, number: str) -> HttpResponse:
    """Accept, start or resume the review, request information, approve or reject."""
    with http_errors():
        application = selectors.application_visible(actor=request.user, number=number)
    actions = _actions(application.state, OFFICER_ACTIONS)
    form = DecisionForm(request.POST, prefix="decide", actions=actions)
    if form.is_valid():
        try:
            application = _decide(request, application, form)
        except ReetraceError as exc:
            form.add_error("action" if exc.field == "action" else None, exc.message)
        else:
            messages.success(request, _("%(number)s is now %(state)s.") % state_of(application))
            return redirect("exportcontrol:application", number=number)
    return application_page(request, application, {"decide": form}, status=400)


def _charts(stats: dict, national: bool) -> dict:
    labels = dict(S.choices)
    # A partner sees the national aggregates only, not how long applications took.
    histogram = stats["lead_time_counts"] if national else {}
    return {
        "backlog": {
            "states": [str(labels[b["state"]]) for b in stats["backlog"]],
            "counts": [b["count"] for b in stats["backlog"]],
            "unit": str(_("applications")),
        },
        "lead": {
            "days": sorted(histogram),
            "counts": [histogram[d] for d in sorted(histogram)],
            "unit": str(_("working days")),
        },
    }


def _decisions_table(stats: dict) -> Table:
    return Table(
        "by_destination",
        gettext_lazy("Decisions by destination"),
        [
            Column("key", gettext_lazy("Destination")),
            Column("approved", gettext_lazy("Approved (applications)"), "number"),
            Column("rejected", gettext_lazy("Rejected (applications)"), "number"),
        ],
        stats["by_destination"],
        gettext_lazy("No decisions yet."),
    )


@portal_page(P.EXPORTCONTROL_STATS_READ)
@replica_reads
def statistics(request: HttpRequest) -> HttpResponse:
    """Backlog by state, lead times on the working-day clock, decisions, kg licensed."""
    national = not request.user.scope.partner
    today = selectors.today()
    stats = licensing_stats(today=today, with_applicants=national)
    labels = dict(S.choices)
    backlog = [{"label": labels[b["state"]], "count": b["count"]} for b in stats["backlog"]]
    context = {"stats": stats, "charts": _charts(stats, national), "backlog": backlog}
    return export_or_render(
        request, "portal/licensing_stats.html", context, [_decisions_table(stats)]
    )
