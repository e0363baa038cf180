"""The comparison report: our export declarations against one partner dataset, cell
by cell, with the decomposition and every parameter. The CLI, the API and the
portal all call `comparison_report`, so they show the same figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.models import ExportDeclaration
from reetrace.reconciliation import reference
from reetrace.reconciliation.config import Settings, settings_for
from reetrace.reconciliation.models import PartnerDataset
from reetrace.reconciliation.outputs.report import report_out
from reetrace.reconciliation.rules import OurLine, TheirLine, arrival_month, decompose, month_add
from reetrace.reconciliation.services.rates import RateTable

__all__ = ["Scope", "comparison_report", "our_lines"]

CHINA = ZoneInfo("Asia/Shanghai")
# Both series are read this many months beyond the window on each side: our goods
# declared before it arrive inside it, goods declared inside it arrive after it, and
# the cells at the edges of what is read are the only ones without a full context.
MARGIN_MONTHS = 2


class Scope:
    """What a report compares: product keys (hs6 | group), countries (country | eu27),
    months (YYYY-MM strings, inclusive; None = open)."""

    def __init__(self, *, by: str = "hs6", level: str = "country", start=None, end=None):
        if by not in ("hs6", "group"):
            raise ReetraceError(ErrorCode.INVALID, "by must be hs6 or group", field="by")
        if level not in ("country", "eu27"):
            raise ReetraceError(ErrorCode.INVALID, "level must be country or eu27", field="level")
        self.by, self.level = by, level
        self.start = f"{start:%Y-%m}" if start else None
        self.end = f"{end:%Y-%m}" if end else None

    def inside(self, month: str) -> bool:
        return (not self.start or month >= self.start) and (not self.end or month <= self.end)

    def country(self, iso2: str) -> str:
        if self.level == "eu27" and iso2 in reference.area_members():
            return reference.EU27
        return iso2

    def as_dict(self) -> dict:
        return {"by": self.by, "level": self.level, "from": self.start, "to": self.end}


def _first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _window(scope: Scope) -> tuple[date | None, date | None]:
    """The reporting months of our declarations read for the scope (with the margin)."""
    first = _first(month_add(scope.start, -MARGIN_MONTHS - 1)) if scope.start else None
    last = _first(month_add(scope.end, MARGIN_MONTHS + 1)) if scope.end else None
    return first, last


def declaration_rows(first: date | None, last: date | None) -> list[tuple]:
    """Live export declarations dated `first`..`last`, in key order, as
    (hs_code, destination, event_time, kg, fob_value, currency, exporter identifier)."""
    exports = ExportDeclaration.objects.filter(event__corrected_by__isnull=True)
    if first:
        exports = exports.filter(event__period__gte=first)
    if last:
        exports = exports.filter(event__period__lte=last)
    return list(
        exports.order_by("pk").values_list(
            "hs_code",
            "destination",
            "event__event_time",
            "kg",
            "fob_value",
            "currency",
            "exporter__identifier",
        )
    )


def our_lines(
    scope: Scope, settings: Settings, rates: RateTable, *, lagged: bool = True, source=None
):
    """Our export declarations as rules.OurLine, plus how many fell outside the lines.

    `source` reads the declarations elsewhere than the database (the Spark engine
    over the lake: `source.export_declarations`, the same rows); the lines are
    built here either way.
    """
    first, last = _window(scope)
    rows = (
        declaration_rows(first, last) if source is None else source.export_declarations(first, last)
    )
    lines, outside = [], 0
    for hs_code, destination, event_time, kg, fob_value, currency, exporter in rows:
        hs6 = _hs6(hs_code)
        if hs6 is None:
            outside += 1
            continue
        day = event_time.astimezone(CHINA).date()
        month = f"{day:%Y-%m}"
        lag = settings.lag_days(destination) if lagged else 0
        lines.append(
            OurLine(
                product=reference.product_key(hs6, scope.by),
                country=scope.country(destination),
                month=month,
                arrival=arrival_month(day.isoformat(), lag),
                kg=kg,
                value=rates.to_usd(fob_value, currency, _first(month)),
                exporter=exporter,
            )
        )
    return [line for line in lines if _ours_in_window(line.month, scope)], outside


def _hs6(code: str) -> str | None:
    try:
        return reference.hs6_of(code, field="hs_code")
    except ReetraceError:
        return None


def _ours_in_window(month: str, scope: Scope) -> bool:
    early = scope.start and month < month_add(scope.start, -MARGIN_MONTHS)
    late = scope.end and month > month_add(scope.end, MARGIN_MONTHS)
    return not early and not late


def their_lines(dataset: PartnerDataset, scope: Scope, rates: RateTable) -> list[TheirLine]:
    records = dataset.records.all()
    if scope.start:
        records = records.filter(month__gte=_first(month_add(scope.start, -MARGIN_MONTHS)))
    if scope.end:
        records = records.filter(month__lte=_first(month_add(scope.end, MARGIN_MONTHS)))
    lines = []
    for r in records.order_by("pk"):
        if r.reporter == reference.EU27 and scope.level != "eu27":
            raise ReetraceError(
                ErrorCode.INVALID,
                "this dataset reports the EU-27 aggregate; compare with level eu27",
                field="level",
            )
        key = r.group if scope.by == "group" else r.hs6
        if not key:
            raise ReetraceError(
                ErrorCode.INVALID, "this dataset has product groups only; use by=group", field="by"
            )
        lines.append(
            TheirLine(
                product=key,
                country=scope.country(r.reporter),
                month=f"{r.month:%Y-%m}",
                kg=r.kg,
                value=rates.to_usd(r.value, r.currency, r.month),
                gross=r.weight_basis == "gross",
                cif=r.value_basis == "cif",
            )
        )
    return lines


def comparison_report(
    *,
    dataset: PartnerDataset,
    actor: User | None,
    scope: Scope,
    overrides: list[str] | None = None,
    source=None,
) -> dict:
    """The grid, each cell's decomposition, totals and every parameter, for `actor`
    (None = the command line, which sees what a national reader sees); `source`: see
    `our_lines`."""
    settings = settings_for(overrides)
    rates = RateTable()
    national = dataset.format == "national"
    ours, outside = our_lines(scope, settings, rates, lagged=not national, source=source)
    theirs = their_lines(dataset, scope, rates)
    params = settings.params(scope.by)
    if national:
        # Our own customs' totals: no freight, no partner classification or transit.
        params = replace(params, classification=(), transit_areas={})
    horizon = month_add(scope.end, MARGIN_MONTHS) if scope.end else None
    results = [
        r for r in decompose(ours, theirs, params, horizon=horizon) if scope.inside(r.cell.month)
    ]
    return report_out(
        dataset=dataset,
        results=results,
        scope=scope,
        settings=settings,
        actor=actor,
        notes={
            "our_declarations_outside_lines": outside,
            "approximate_rates_used": sorted(rates.approximate_used),
            "national_series": national,
        },
    )
