"""From a cell to the export declarations behind it.

National readers see each declaration with exporter, consignee, end user, licence,
lot and FOB value; partner analysts see the cell's aggregates only (count, kg, kg
by modelled arrival month, kg under a licence), and not even those when fewer than
`confidentiality.min_exporters` exporters make up the cell.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from reetrace.accounts.models import User
from reetrace.ledger.models import ExportDeclaration
from reetrace.reconciliation import reference
from reetrace.reconciliation.config import settings_for
from reetrace.reconciliation.rules import arrival_month
from reetrace.reconciliation.services.comparison import CHINA, Scope, _hs6

__all__ = ["cell_declarations"]


def _in_cell(x: ExportDeclaration, scope: Scope, product: str, country: str) -> bool:
    hs6 = _hs6(x.hs_code)
    return (
        hs6 is not None
        and reference.product_key(hs6, scope.by) == product
        and scope.country(x.destination) == country
    )


def _declarations(scope: Scope, product: str, country: str, month: str):
    year, mon = int(month[:4]), int(month[5:7])
    exports = (
        ExportDeclaration.objects.filter(event__corrected_by__isnull=True)
        .select_related("event", "exporter", "lot")
        .order_by("event__event_time", "pk")
    )
    for x in exports.filter(event__event_time__year__in=[year - 1, year, year + 1]):
        day = x.event.event_time.astimezone(CHINA).date()
        if (day.year, day.month) == (year, mon) and _in_cell(x, scope, product, country):
            yield x, day


def _detail(x: ExportDeclaration, day, lag: int) -> dict:
    return {
        "event_id": x.event.event_id,
        "date": day,
        "arrival_month": arrival_month(day.isoformat(), lag),
        "exporter": x.exporter.identifier,
        "exporter_name": x.exporter.display_name,
        "customs_declaration": x.customs_declaration,
        "hs_code": x.hs_code,
        "destination": x.destination,
        "consignee": x.consignee,
        "end_user": x.end_user,
        "licence": x.licence_number,
        "lot": x.lot.code,
        "kg": x.kg,
        "fob_value": x.fob_value,
        "currency": x.currency,
    }


def cell_declarations(
    *,
    actor: User | None,
    scope: Scope,
    product: str,
    country: str,
    month: str,
    overrides: list[str] | None = None,
) -> dict:
    """The declarations of one cell (national readers) or its aggregates (partners)."""
    settings = settings_for(overrides)
    rows = [
        _detail(x, day, settings.lag_days(x.destination))
        for x, day in _declarations(scope, product, country, month)
    ]
    head = {"product": product, "country": country, "month": month, "declarations": len(rows)}
    if actor is None or actor.is_national:
        return head | {"confidential": False, "items": rows, "summary": _summary(rows)}
    exporters = {r["exporter"] for r in rows}
    hidden = 0 < len(exporters) < int(settings.raw["confidentiality"]["min_exporters"])
    return head | {
        "confidential": hidden,
        "items": [],
        "summary": None if hidden else _summary(rows),
    }


def _summary(rows: list[dict]) -> dict:
    by_arrival: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        by_arrival[r["arrival_month"]] += r["kg"]
    return {
        "kg": sum((r["kg"] for r in rows), Decimal(0)),
        "licensed_kg": sum((r["kg"] for r in rows if r["licence"]), Decimal(0)),
        "exporters": len({r["exporter"] for r in rows}),
        "kg_by_arrival_month": dict(sorted(by_arrival.items())),
    }
