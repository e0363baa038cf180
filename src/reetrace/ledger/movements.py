"""The monthly movement summary (`MonthlyMovement`): REO of each element moved per month
along the chain, from lots of one origin and product form into another product
(genealogy links), to a buyer (shipments) or to a destination abroad (exports).

It is what the national overview draws (mine to magnet to customer, `portal/flows.py`),
which would otherwise join a year's genealogy links, shipments and exports to their
lots, products and compositions on every view. Like the monthly flow summary it is
moved in the capture transaction (`movements_add`, from `capture.session.plans_write`):
a batch adds what its events wrote and takes away what the events it voided had
added, so it always equals the rows of the events still in force (`movements_rebuild`
derives it from those alone; `movements_compare`, run by verify_chain, checks it).

Everything is read back from the rows capture has just written, by one derivation
used for a batch, the rebuild and the check, so the three cannot disagree. REO is
integer micrograms: a link's REO kg per element as written, a shipment's or
export's metal (`metal_ug`, kg x fraction) times the element's oxide factor, each
row rounded half away from zero before summing, so sums are exact on both databases.
Shipments are kept per buyer (registry roles can change; the overview picks the
buyers that are domestic users when it reads).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection as default_connection

from reetrace.ledger.choices import EventKind
from reetrace.ledger.monthly import (
    event_chunks,
    metal_ug,
    summary_difference,
    summary_replace,
    summary_upsert,
)
from reetrace.registry.elements import ELEMENTS

__all__ = [
    "LINK",
    "SALE",
    "EXPORT",
    "MOVING_KINDS",
    "movements_add",
    "movements_compare",
    "movements_rebuild",
]

LINK, SALE, EXPORT = "link", "sale", "export"  # into a product, to a buyer, abroad
# The events that write links, shipments or exports (a correction may replace one).
MOVING_KINDS = {EventKind.TRANSFORM, EventKind.SHIP, EventKind.EXPORT, EventKind.CORRECT}
UG_PER_KG = Decimal(1_000_000_000)
_TABLE = "ledger_monthlymovement"
_KEY = ("element", "period", "route", "source_kind", "source_form", "target")
_TYPES = ("varchar", "date", "varchar", "varchar", "varchar", "varchar")

Key = tuple[str, object, str, str, str, str]

# The lot a row moves: its period (the row's event), how the lot was made (origin kind
# or transform) and its product form.
_LINKS = """
SELECT e.period, made.kind, pp.form, cp.form, l.reo_kg
FROM ledger_lotlink l
JOIN ledger_event e ON e.id = l.event_id
JOIN ledger_lot p ON p.id = l.parent_id
JOIN ledger_event made ON made.id = p.created_by_id
JOIN registry_product pp ON pp.id = p.product_id
JOIN ledger_lot c ON c.id = l.child_id
JOIN registry_product cp ON cp.id = c.product_id
WHERE {events}
"""


def _custody(table: str, target: str, join: str = "") -> str:
    """A shipment's or export's lot, its target and the lot's element fractions."""
    return f"""
SELECT e.period, made.kind, pr.form, {target}, x.kg, le.element, le.fraction
FROM {table} x
JOIN ledger_event e ON e.id = x.event_id
JOIN ledger_lot lot ON lot.id = x.lot_id
JOIN ledger_event made ON made.id = lot.created_by_id
JOIN registry_product pr ON pr.id = lot.product_id
JOIN ledger_lotelement le ON le.lot_id = x.lot_id
{join}
WHERE {{events}}
"""  # noqa: S608 (fixed names)


_SALES = _custody(
    "ledger_shipment", "b.identifier", "JOIN registry_enterprise b ON b.id = x.buyer_id"
)
_EXPORTS = _custody("ledger_exportdeclaration", "x.destination")
_IN_FORCE = "NOT EXISTS (SELECT 1 FROM ledger_correction k WHERE k.corrected_id = e.id)"


def _reo_ug(kg: Decimal) -> int:
    return int((kg * UG_PER_KG).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _oxide_ug(kg_mg: int, ppb: int, element: str) -> int:
    metal = Decimal(metal_ug(kg_mg, ppb))
    return int((metal * ELEMENTS[element].metal_to_oxide).quantize(Decimal(1), ROUND_HALF_UP))


def _derived(cursor, events: str, params: list) -> Iterator[tuple[Key, int]]:
    """(key, REO µg) of every link, shipment and export of the events selected."""
    cursor.execute(_LINKS.format(events=events), params)  # noqa: S608 (fixed fragments)
    while rows := cursor.fetchmany(5_000):
        for period, kind, parent_form, child_form, reo in rows:
            for element, kg in (json.loads(reo) if isinstance(reo, str) else reo).items():
                yield (element, period, LINK, kind, parent_form, child_form), _reo_ug(Decimal(kg))
    for route, statement in ((SALE, _SALES), (EXPORT, _EXPORTS)):
        cursor.execute(statement.format(events=events), params)  # noqa: S608
        while rows := cursor.fetchmany(5_000):
            for period, kind, form, target, kg_mg, element, ppb in rows:
                key = (element, period, route, kind, form, target)
                yield key, _oxide_ug(kg_mg, ppb, element)


def _totals(pairs: Iterable[tuple[Key, int]], sign: int = 1, into=None) -> dict[Key, int]:
    totals: dict[Key, int] = defaultdict(int) if into is None else into
    for key, reo in pairs:
        totals[key] += sign * reo
    return totals


def _of_events(cursor, keys: list[int], sign: int, into: dict[Key, int]) -> None:
    for events, chunk in event_chunks(keys):
        _totals(_derived(cursor, events, chunk), sign, into)


def movements_add(*, added: list[int], voided: list[int], connection=default_connection) -> None:
    """Move the summary by a batch: the rows of its new events (`added`, event keys) in,
    those of the events its corrections voided out. Called after the rows are written."""
    if not added and not voided:
        return
    deltas: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        _of_events(cursor, added, 1, deltas)
        _of_events(cursor, voided, -1, deltas)
    rows = [(*key, reo) for key, reo in sorted(deltas.items()) if reo]
    summary_upsert(connection, _TABLE, _KEY, _TYPES, "reo_ug", rows)


def _all_in_force(connection) -> dict[Key, int]:
    with connection.cursor() as cursor:
        return _totals(_derived(cursor, _IN_FORCE, []))


def movements_rebuild(connection=default_connection) -> None:
    """Replace the summary by what the events in force wrote (raw SQL: safe in a migration)."""
    summary_replace(connection, _TABLE, _KEY, _TYPES, "reo_ug", _all_in_force(connection))


def movements_compare(connection=default_connection) -> tuple[str, str] | None:
    """The first summary row the ledger's rows do not give (field, what differs), if any.
    A row may hold 0 where everything it summed was voided; a missing row is 0."""
    difference = summary_difference(connection, _TABLE, _KEY, "reo_ug", _all_in_force(connection))
    if difference is None:
        return None
    (element, period, route, kind, form, target), found, derived = difference
    return (
        "reo_ug",
        f"{element} {period} {route} from {kind}/{form} to {target}: the summary holds "
        f"{'no row' if found is None else f'{found} µg'}, the ledger's rows give "
        f"{derived} µg",
    )
