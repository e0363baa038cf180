"""A lot's genealogy (upstream and downstream) as chart data and as table rows.

The graph is drawn as a Sankey diagram: genealogy is a directed acyclic flow of
mass, so the width of each band is the kg on the edge and hovering shows the REO
kg of each element; clicking a lot opens its own trace. A trace is bounded, so a
lot whose genealogy goes on beyond the graph (`more` links not shown) is marked
"+N" and drawn in another colour: opening it traces it further.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from reetrace.ledger.choices import EventKind
from reetrace.portal.templatetags.portal import kg, reo_summary
from reetrace.trace.genealogy import Genealogy

__all__ = ["genealogy_chart", "genealogy_edges"]


ROOT, LOT, FRONTIER = "#b3541e", "#2b6777", "#8a7a2e"


def _label(node: dict) -> str:
    if node["type"] == "lot":
        more = f" (+{node['more']})" if node.get("more") else ""
        return f"{node['code']} · {node['product']}{more}"
    if node["type"] == "enterprise":
        return node["name"]
    word = _("Export")
    return f"{word} {node['destination']} · {node.get('consignee', '')}"


def _merged(*graphs: Genealogy) -> tuple[dict[str, dict], list]:
    """Both directions as one graph; the traced lot keeps the `more` of either side."""
    nodes: dict[str, dict] = {}
    edges = []
    for graph in graphs:
        for key, node in graph.nodes.items():
            if key in nodes and node["type"] == "lot":
                node = {**node, "more": max(nodes[key].get("more", 0), node.get("more", 0))}
            nodes[key] = node
        edges.extend(graph.edges)
    return nodes, edges


def _colour(key: str, node: dict, root: str) -> str:
    if key == f"lot:{root}":
        return ROOT
    return FRONTIER if node.get("more") else LOT


def genealogy_chart(root: str, *graphs: Genealogy) -> dict:
    """Plotly sankey data; node `url` opens that lot's page, `root` is highlighted."""
    nodes, edges = _merged(*graphs)
    keys = list(nodes)
    index = {key: n for n, key in enumerate(keys)}
    return {
        "labels": [_label(nodes[k]) for k in keys],
        "colors": [_colour(k, nodes[k], root) for k in keys],
        "urls": [
            reverse("portal:lot", args=[nodes[k]["code"]]) if nodes[k]["type"] == "lot" else ""
            for k in keys
        ],
        "source": [index[e.source] for e in edges],
        "target": [index[e.target] for e in edges],
        "value": [float(e.kg) for e in edges],
        "hover": [f"{kg(e.kg)}<br>{reo_summary(e.reo_kg)}" for e in edges],
    }


def genealogy_edges(*graphs: Genealogy) -> list[dict]:
    """One row per edge for the table under the chart (and its CSV/XLSX)."""
    nodes, edges = _merged(*graphs)
    return [
        {
            "from": _label(nodes[e.source]),
            "to": _label(nodes[e.target]),
            "kind": EventKind(e.kind).label,
            "kg": e.kg,
            "reo": reo_summary(e.reo_kg),
            "event_id": e.event_id or "",
        }
        for e in edges
    ]
