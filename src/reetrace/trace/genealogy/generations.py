"""The per-generation summary of a trace: how much each generation of the lots shown
made, who made it and, downstream, where it went."""

from __future__ import annotations

from decimal import Decimal

from reetrace.trace.genealogy.graph import TraceGraph
from reetrace.trace.genealogy.result import Genealogy

__all__ = ["generations_of"]


def generations_of(result: Genealogy, graph: TraceGraph) -> list[dict]:
    """Per generation of the lots shown: lots, kg made, producers, origins and,
    downstream, shipments, holders (buyers) and exports. A generation is
    `complete` when no nearer lot has links beyond the graph: then all its lots
    are shown, and its figures are those of the whole generation."""
    by_code = {node["code"]: lot_id for lot_id, node in graph.lots.items()}
    first_open = min((graph.depth[i] + 1 for i in graph.more), default=None)
    origin_lots = {o["lot"] for o in result.origins}
    rows: dict[int, dict] = {}
    for lot_id in graph.shown:
        level = graph.depth[lot_id]
        row = rows.get(level)
        if row is None:
            row = rows[level] = _generation(level, first_open is None or level < first_open)
        node = graph.lots[lot_id]
        row["lots"] += 1
        row["kg"] += node["mass_kg"]
        row["producers"].add(node["producer"])
        row["origins"] += node["code"] in origin_lots
    for edge in result.edges:
        if edge.kind == "transform":
            continue
        row = rows[graph.depth[by_code[edge.source.removeprefix("lot:")]]]
        if edge.kind == "ship":
            row["shipments"] += 1
            row["shipped_kg"] += edge.kg
            row["holders"].add(edge.target)
        else:
            row["exports"] += 1
            row["export_kg"] += edge.kg
    summary = []
    for level in sorted(rows):
        row = rows[level]
        row["producers"] = len(row["producers"])
        row["holders"] = len(row["holders"])
        summary.append(row)
    return summary


def _generation(level: int, complete: bool) -> dict:
    return {
        "depth": level,
        "lots": 0,
        "kg": Decimal(0),
        "producers": set(),
        "origins": 0,
        "shipments": 0,
        "shipped_kg": Decimal(0),
        "holders": set(),
        "exports": 0,
        "export_kg": Decimal(0),
        "complete": complete,
    }
