"""Process yields and declarations: where material disappears inside a transformation.

The ledger already refuses outputs that hold more of an element than the inputs,
and it makes opening + inflows - outflows - losses = closing hold by construction.
What it cannot refuse is *less*: material sold off the books shows up as a run
whose REO yield is below what its process recovers (`yield_out_of_range`), or as
one element that went in and did not come out (`element_dropped`: Dy/Tb that
vanishes from a magnet so that it looks uncontrolled). The opposite fraud keeps
conservation too: ore bought off the books and fed into a run shows up as more REO
out than the process can recover (`yield_above_range`).
"""

from __future__ import annotations

from collections.abc import Iterator

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window, kg
from reetrace.compliance.checks.ledger import (
    RunBalance,
    event_lots,
    events_by_pk,
    transformation_balances,
)
from reetrace.compliance.config import rule_params
from reetrace.ledger.models import ExportDeclaration


def _summaries(window: Window, source=None) -> dict[int, tuple[RunBalance, rules.YieldSummary]]:
    drop = rule_params("element_dropped")
    found = {}
    for pk, run in transformation_balances(window, source).items():
        summary = rules.yield_summary(
            run.inputs,
            run.outputs,
            min_input_reo_kg=drop["min_input_reo_kg"],
            min_input_share=drop["min_input_share"],
            max_ratio=drop["max_ratio"],
        )
        found[pk] = (run, summary)
    return found


class YieldOutOfRange(Check):
    """A transformation recovered less REO than its process does.

    Parameters: `ranges` (process -> [low, high] REO yield), `tolerance` (fires below
    low - tolerance), `min_input_reo_kg` (ignore smaller runs), `severity`. Elements
    dropped altogether are left to `element_dropped`.
    """

    name = "yield_out_of_range"
    title = "transformation yield below the process range"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        low_runs = {}
        for pk, (_run, summary) in _summaries(window, self.source).items():
            if summary.input_reo >= p["min_input_reo_kg"]:
                low_runs[pk] = summary
        events = events_by_pk(set(low_runs))
        flagged = {}
        for pk, summary in low_runs.items():
            process = events[pk].transformation.process
            low, high = p["ranges"].get(process, [0.0, 1.0])
            if summary.retained_yield < low - p["tolerance"]:
                flagged[pk] = (summary, process, low, high)
        lots = event_lots(set(flagged))
        for pk, (summary, process, low, high) in flagged.items():
            yield self._finding(events[pk], summary, process, low, high, lots[pk])

    def _finding(self, event, summary, process, low, high, lots) -> Finding:
        missing = summary.input_reo * low - summary.output_reo
        return self.event_finding(
            event,
            explanation=(
                f"{process} run {event.event_id} put out {summary.retained_yield:.1%} of the "
                f"REO it consumed; the process recovers {low:.1%}-{high:.1%}. About "
                f"{kg(missing)} kg REO is unaccounted for: declared as loss, possibly sold "
                "off the books."
            ),
            figures=_yield_figures(
                summary, low, (low, high), self.params["tolerance"], "missing_reo_kg", missing
            ),
            elements=sorted(summary.per_element),
            lots=lots["out"] + lots["in"],
            events=[event.event_id],
        )


class YieldAboveRange(Check):
    """A transformation put out more REO than its process can recover.

    Conservation holds per run, so unrecorded ore topped up into a separator's feed
    leaves the run's recorded inputs short: its yield sits above the process range.
    Parameters: `tolerance` (fires above high + tolerance), `min_input_reo_kg`,
    `severity`; the ranges are those of [yield_out_of_range], one table for both.
    """

    name = "yield_above_range"
    title = "transformation yield above the process range"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        ranges = rule_params("yield_out_of_range")["ranges"]
        runs = {
            pk: summary
            for pk, (_run, summary) in _summaries(window, self.source).items()
            if summary.input_reo >= p["min_input_reo_kg"]
        }
        events = events_by_pk(set(runs))
        flagged = {}
        for pk, summary in runs.items():
            process = events[pk].transformation.process
            low, high = ranges.get(process, [0.0, 1.0])
            if summary.retained_yield > high + p["tolerance"]:
                flagged[pk] = (summary, process, low, high)
        lots = event_lots(set(flagged))
        for pk, (summary, process, low, high) in flagged.items():
            yield self._finding(events[pk], summary, process, low, high, lots[pk])

    def _finding(self, event, summary, process, low, high, lots) -> Finding:
        surplus = summary.output_reo - summary.input_reo * high
        return self.event_finding(
            event,
            explanation=(
                f"{process} run {event.event_id} put out {summary.retained_yield:.1%} of the "
                f"REO it consumed; the process recovers at most {high:.1%} (range "
                f"{low:.1%}-{high:.1%}). About {kg(surplus)} kg REO came out that its "
                "recorded inputs cannot account for: feed that entered off the books."
            ),
            figures=_yield_figures(
                summary, high, (low, high), self.params["tolerance"], "surplus_reo_kg", surplus
            ),
            elements=sorted(summary.per_element),
            lots=lots["out"] + lots["in"],
            events=[event.event_id],
        )


def _yield_figures(summary, expected, process_range, tolerance, gap_name, gap_kg) -> dict:
    """The figures both yield-range rules show: the run against its process range and
    the REO the range cannot account for (missing below it, surplus above it)."""
    low, high = process_range
    return {
        "expected": expected,
        "observed": round(summary.retained_yield, 4),
        "tolerance": tolerance,
        "unit": "REO yield",
        "range": [low, high],
        "input_reo_kg": kg(summary.input_reo),
        "output_reo_kg": kg(summary.output_reo),
        gap_name: kg(gap_kg),
        "per_element_yield": {el: round(v, 4) for el, v in summary.per_element.items()},
    }


class ElementDropped(Check):
    """A transformation's outputs silently drop an element its inputs carried.

    Parameters: `min_input_reo_kg` and `min_input_share` (the element mattered in the
    inputs), `max_ratio` (its yield / the others' yield below this fires), `severity`.
    Exports of the outputs are listed as evidence: a magnet declared without its
    Dy/Tb leaves the country without a licence.
    """

    name = "element_dropped"
    title = "element dropped from the outputs"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        flagged = {pk: rs for pk, rs in _summaries(window, self.source).items() if rs[1].dropped}
        events = events_by_pk(set(flagged))
        lots = event_lots(set(flagged))
        for pk, (run, summary) in flagged.items():
            yield self._finding(events[pk], run, summary, lots[pk])

    def _finding(self, event, run, summary, lots) -> Finding:
        dropped = list(summary.dropped)
        exports = list(
            ExportDeclaration.objects.filter(
                lot__code__in=lots["out"], event__corrected_by__isnull=True
            ).values_list("event__event_id", flat=True)
        )
        missing = {
            el: kg(run.inputs[el] * (summary.retained_yield - summary.per_element[el]))
            for el in dropped
        }
        names = ", ".join(dropped)
        return self.event_finding(
            event,
            explanation=(
                f"run {event.event_id} consumed {names} but its outputs keep only "
                + ", ".join(f"{el} {summary.per_element[el]:.1%}" for el in dropped)
                + f" of it while the other elements kept {summary.retained_yield:.1%}. "
                "An output declared without these elements may escape export control"
                + (f"; exported by {', '.join(exports)}." if exports else ".")
            ),
            figures={
                "expected": round(summary.retained_yield, 4),
                "observed": {el: round(summary.per_element[el], 4) for el in dropped},
                "tolerance": self.params["max_ratio"],
                "unit": "element yield",
                "missing_reo_kg": missing,
                "exports": exports,
            },
            elements=dropped,
            lots=lots["out"] + lots["in"],
            events=[event.event_id, *exports],
        )
