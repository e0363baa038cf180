"""`reetrace licences stats [--json]`: the ministry's licensing figures.

Backlog by state, median and p90 working days to decision, overdue
applications, decisions by destination, element and applicant, and exported
against licensed kg: the same document as GET /api/v1/exportcontrol/stats.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from reetrace.accounts.management.console import ReetraceCommand
from reetrace.exportcontrol.selectors import today
from reetrace.exportcontrol.stats import licensing_stats


class Command(ReetraceCommand):
    help = "Licensing statistics (subcommand: stats)."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["stats"], help="what to show")
        parser.add_argument("--json", action="store_true", help="print a JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        stats = licensing_stats(today=today())
        if options["json"]:
            self.stdout.write(json.dumps(stats, cls=DjangoJSONEncoder, indent=2))
            return
        out = self.stdout.write
        out(f"licensing as of {stats['as_of']}: {stats['applications']} applications")
        out(
            "backlog: "
            + (", ".join(f"{r['state']} {r['count']}" for r in stats["backlog"]) or "none")
        )
        median = stats["median_working_days_to_decision"]
        p90 = stats["p90_working_days_to_decision"]
        out(f"decided: {stats['decided']}; working days to decision: median {median}, p90 {p90}")
        out(f"overdue: {', '.join(stats['overdue']) or 'none'}")
        if stats["clock_provisional"]:
            out(
                f"provisional: {stats['clock_provisional']} clocks count days of a year with "
                "no official working-day schedule yet (reetrace calendar load FILE)"
            )
        for name in ("by_destination", "by_element", "by_applicant"):
            rows = ", ".join(f"{r['key']} +{r['approved']}/-{r['rejected']}" for r in stats[name])
            out(f"{name.replace('_', ' ')} (approved/rejected): {rows or 'none'}")
        # Stored to the milligram; the trailing zeros of "700.000000" say nothing here.
        licensed, exported = (f"{stats[k].normalize():f}" for k in ("licensed_kg", "exported_kg"))
        out(f"licensed {licensed} kg, exported {exported} kg")
