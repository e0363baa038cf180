"""Downstream: who holds the lots shown, by shipment (with what was received) and export."""

from __future__ import annotations

from reetrace.trace.genealogy.graph import TraceGraph
from reetrace.trace.genealogy.result import Edge, Genealogy, kg_of, moment, reo_of

__all__ = ["custody_add"]


def custody_add(result: Genealogy, graph: TraceGraph) -> None:
    """Buyer and export nodes, and a ship or export edge from each lot shown."""
    lots = graph.lots
    for ship in sorted(graph.shipments, key=lambda r: (moment(r.shipped_at), r.event_id)):
        if ship.lot_id not in graph.shown:
            continue
        node = f"enterprise:{ship.buyer}"
        if node not in result.nodes:
            result.nodes[node] = {
                "type": "enterprise",
                "identifier": ship.buyer,
                "name": ship.buyer_name_en or ship.buyer_name_zh or ship.buyer,
            }
        lot, kg, received = lots[ship.lot_id], kg_of(ship.mass_mg), kg_of(ship.received_mg)
        detail = {
            "seller": ship.seller,
            "received_kg": received,
            "in_transit_kg": kg - received,
            "date": moment(ship.shipped_at),
        }
        source = f"lot:{lot['code']}"
        result.edges.append(Edge(source, node, "ship", kg, reo_of(lot, kg), ship.event_id, detail))
    for export in sorted(graph.exports, key=lambda r: (moment(r.exported_at), r.event_id)):
        if export.lot_id not in graph.shown:
            continue
        node = f"export:{export.declaration}"
        result.nodes[node] = {
            "type": "export",
            "declaration": export.declaration,
            "destination": export.destination,
            "consignee": export.consignee,
            "end_user": export.end_user,
            "hs_code": export.hs_code,
            "licence": export.licence,
            "exporter": export.exporter,
        }
        lot, kg = lots[export.lot_id], kg_of(export.mass_mg)
        detail = {"date": moment(export.exported_at)}
        source = f"lot:{lot['code']}"
        result.edges.append(
            Edge(source, node, "export", kg, reo_of(lot, kg), export.event_id, detail)
        )
