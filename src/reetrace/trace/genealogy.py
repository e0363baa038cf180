"""A lot's genealogy: upstream to its origins, downstream to its holders and exports.

The walk is one recursive SQL query over the LotLink edges (indexed both ways),
so only the lots in the closure leave the database, never the ledger. Voided
transformations are skipped. Upstream, the traced lot's content of each element
is attributed back to the origin lots through every path, in proportion to
what each input contributed of that element.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db import connection

from reetrace.core.quantities import mg_to_kg, round_kg
from reetrace.ledger.models import (
    ExportDeclaration,
    Lot,
    Origin,
    Receipt,
    Shipment,
)
from reetrace.registry.elements import ELEMENTS

MAX_DEPTH = 64
Direction = Literal["up", "down"]

_NOT_VOIDED = "NOT EXISTS (SELECT 1 FROM ledger_correction c WHERE c.corrected_id = l.event_id)"
_STEP = {"up": ("parent_id", "child_id"), "down": ("child_id", "parent_id")}


def _closure_sql(direction: Direction, *, event_codes: bool) -> str:
    """Recursive walk over LotLink, then the edges whose near end is in the closure."""
    far, near = _STEP[direction]
    event = "e.event_id" if event_codes else "l.event_id"
    join = "JOIN ledger_event e ON e.id = l.event_id" if event_codes else ""
    return f"""
        WITH RECURSIVE walk(lot_id, depth) AS (
            SELECT CAST(%s AS BIGINT), 0
            UNION
            SELECT l.{far}, walk.depth + 1
            FROM ledger_lotlink l JOIN walk ON l.{near} = walk.lot_id
            WHERE walk.depth < %s AND {_NOT_VOIDED}
        )
        SELECT l.parent_id, l.child_id, l.kg, l.reo_kg, {event}
        FROM ledger_lotlink l {join}
        WHERE l.{near} IN (SELECT lot_id FROM walk) AND {_NOT_VOIDED}
    """


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    kg: Decimal
    reo_kg: dict[str, Decimal]
    event_id: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class Genealogy:
    lot: str
    direction: Direction
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    origins: list[dict] = field(default_factory=list)


def link_rows(lot_id: int, direction: Direction, *, event_codes: bool = False) -> list[tuple]:
    """The genealogy edges reachable from one lot, by one recursive query."""
    with connection.cursor() as cursor:
        cursor.execute(_closure_sql(direction, event_codes=event_codes), [lot_id, MAX_DEPTH])
        return cursor.fetchall()


def genealogy(lot: Lot, direction: Direction) -> Genealogy:
    rows = link_rows(lot.pk, direction, event_codes=True)
    lot_ids = {lot.pk} | {r[0] for r in rows} | {r[1] for r in rows}
    lots = _lot_nodes(lot_ids)
    result = Genealogy(lot.code, direction)
    for node in lots.values():
        result.nodes[f"lot:{node['code']}"] = node
    for parent_id, child_id, kg_mg, reo, event_code in rows:
        reo_kg = _json_decimals(reo)
        result.edges.append(
            Edge(
                f"lot:{lots[parent_id]['code']}",
                f"lot:{lots[child_id]['code']}",
                "transform",
                mg_to_kg(kg_mg),
                reo_kg,
                event_code,
            )
        )
    if direction == "up":
        _add_origins(result, lots, rows, lot.pk)
    else:
        _add_custody(result, lots)
    return result


def _lot_nodes(lot_ids: set[int]) -> dict[int, dict]:
    """Lots with product, producer and per-element REO kg: one query, a row per element."""
    nodes: dict[int, dict] = {}
    rows = Lot.objects.filter(pk__in=lot_ids).values_list(
        "pk",
        "code",
        "product__code",
        "product__form",
        "producer__identifier",
        "producer__name_en",
        "producer__name_zh",
        "mass_kg",
        "created_by__event_time",
        "elements__element",
        "elements__fraction",
    )
    for pk, code, product, form, producer, name_en, name_zh, kg, made, element, fraction in rows:
        node = nodes.get(pk)
        if node is None:
            node = nodes[pk] = {
                "type": "lot",
                "code": code,
                "product": product,
                "form": form,
                "producer": producer,
                "producer_name": name_en or name_zh,
                "mass_kg": kg,
                "made_at": made,
                "composition": {},
                "reo_kg": {},
            }
        if element is not None:
            node["composition"][element] = fraction
            node["reo_kg"][element] = round_kg(kg * fraction * ELEMENTS[element].metal_to_oxide)
    return nodes


def _add_origins(result: Genealogy, lots: dict[int, dict], rows: list[tuple], root: int) -> None:
    """Attribute the traced lot's REO back to each origin lot along every path."""
    parents: dict[int, list[tuple[int, dict[str, Decimal]]]] = defaultdict(list)
    for parent_id, child_id, _kg, reo, _event in rows:
        parents[child_id].append((parent_id, _json_decimals(reo)))
    share: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    share[root] = defaultdict(Decimal, lots[root]["reo_kg"])
    for lot_id in _topological_from(root, parents):
        content = lots[lot_id]["reo_kg"]
        for parent_id, reo in parents.get(lot_id, []):
            for element, amount in share[lot_id].items():
                if content.get(element) and reo.get(element):
                    share[parent_id][element] += amount * reo[element] / content[element]
    roots = [lot_id for lot_id in lots if lot_id not in parents]
    origins = {
        o.lot_id: o
        for o in Origin.objects.filter(lot_id__in=roots).select_related("event", "quota")
    }
    for lot_id in sorted(roots, key=lambda i: lots[i]["code"]):
        origin = origins.get(lot_id)
        result.origins.append(
            {
                "lot": lots[lot_id]["code"],
                "kind": origin.event.kind if origin else "unknown",
                "enterprise": lots[lot_id]["producer"],
                "quota": origin.quota.code if origin and origin.quota else None,
                "origin_country": origin.origin_country if origin else "",
                "customs_declaration": origin.customs_declaration if origin else "",
                "source": origin.source if origin else "",
                "event_id": origin.event.event_id if origin else None,
                "attributed_reo_kg": {el: round_kg(v) for el, v in share[lot_id].items() if v},
            }
        )


def _topological_from(root: int, parents: dict[int, list]) -> list[int]:
    """Lots ordered so that every child comes before its parents (Kahn's algorithm)."""
    pending: dict[int, int] = defaultdict(int)
    for plist in parents.values():
        for parent, _ in plist:
            pending[parent] += 1
    order, ready = [], [root]
    while ready:
        lot_id = ready.pop()
        order.append(lot_id)
        for parent, _ in parents.get(lot_id, []):
            pending[parent] -= 1
            if pending[parent] == 0:
                ready.append(parent)
    return order


def _add_custody(result: Genealogy, lots: dict[int, dict]) -> None:
    """Shipments, receipts and exports of every lot in the downstream closure."""
    lot_ids = list(lots)
    shipments = (
        Shipment.objects.filter(lot_id__in=lot_ids, event__corrected_by__isnull=True)
        .select_related("event", "buyer", "seller")
        .order_by("event__event_time")
    )
    received: dict[int, Decimal] = defaultdict(Decimal)
    for shipment_id, kg in Receipt.objects.filter(
        shipment__lot_id__in=lot_ids, event__corrected_by__isnull=True
    ).values_list("shipment_id", "kg"):
        received[shipment_id] += kg
    for s in shipments:
        node = f"enterprise:{s.buyer.identifier}"
        result.nodes.setdefault(
            node,
            {"type": "enterprise", "identifier": s.buyer.identifier, "name": s.buyer.display_name},
        )
        lot = lots[s.lot_id]
        result.edges.append(
            Edge(
                f"lot:{lot['code']}",
                node,
                "ship",
                s.kg,
                _reo_of(lot, s.kg),
                s.event.event_id,
                {
                    "seller": s.seller.identifier,
                    "received_kg": received[s.pk],
                    "in_transit_kg": s.kg - received[s.pk],
                    "date": s.event.event_time,
                },
            )
        )
    exports = ExportDeclaration.objects.filter(
        lot_id__in=lot_ids, event__corrected_by__isnull=True
    ).select_related("event", "exporter")
    for x in exports:
        node = f"export:{x.customs_declaration}"
        result.nodes[node] = {
            "type": "export",
            "declaration": x.customs_declaration,
            "destination": x.destination,
            "consignee": x.consignee,
            "end_user": x.end_user,
            "hs_code": x.hs_code,
            "licence": x.licence_number,
            "exporter": x.exporter.identifier,
        }
        lot = lots[x.lot_id]
        result.edges.append(
            Edge(
                f"lot:{lot['code']}",
                node,
                "export",
                x.kg,
                _reo_of(lot, x.kg),
                x.event.event_id,
                {"date": x.event.event_time},
            )
        )


def _reo_of(lot: dict, kg: Decimal) -> dict[str, Decimal]:
    if not lot["mass_kg"]:
        return {}
    return {el: round_kg(v * kg / lot["mass_kg"]) for el, v in lot["reo_kg"].items()}


def _json_decimals(raw) -> dict[str, Decimal]:
    if isinstance(raw, str):
        raw = json.loads(raw)
    return {el: Decimal(v) for el, v in raw.items()}
