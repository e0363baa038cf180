"""A lot's genealogy (upstream and downstream) as chart data and as table rows.

The graph is drawn as a Sankey diagram: genealogy is a directed acyclic flow of
mass, so the width of each band is the kg on the edge and hovering shows the REO
kg of each element; clicking a lot opens its own trace.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from reetrace.ledger.choices import EventKind
from reetrace.portal.templatetags.portal import kg, reo_summary
from reetrace.trace.genealogy import Genealogy

__all__ = ["genealogy_chart", "genealogy_edges"]


def _label(node: dict) -> str:
    if node["type"] == "lot":
        return f"{node['code']} · {node['product']}"
    if node["type"] == "enterprise":
        return node["name"]
    word = _("Export")
    return f"{word} {node['destination']} · {node.get('consignee', '')}"


def _merged(*graphs: Genealogy) -> tuple[dict[str, dict], list]:
    nodes: dict[str, dict] = {}
    edges = []
    for graph in graphs:
        nodes.update(graph.nodes)
        edges.extend(graph.edges)
    return nodes, edges


def genealogy_chart(root: str, *graphs: Genealogy) -> dict:
    """Plotly sankey data; node `url` opens that lot's page, `root` is highlighted."""
    nodes, edges = _merged(*graphs)
    keys = list(nodes)
    index = {key: n for n, key in enumerate(keys)}
    return {
        "labels": [_label(nodes[k]) for k in keys],
        "colors": ["#b3541e" if k == f"lot:{root}" else "#2b6777" for k in keys],
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
