"""A lot's genealogy (upstream and downstream) as chart data and as table rows.

The graph is drawn as a Sankey diagram: genealogy is a directed acyclic flow of
mass, so the width of each band is the kg on the edge and hovering shows the REO
kg of each element; clicking a lot opens its own trace. A trace is bounded, so a
lot whose genealogy goes on beyond the graph (`more` links not shown) is marked
"+N" and drawn in another colour: opening it traces it further.

A genealogy of more than GROUP_ABOVE lots is drawn, at first, by enterprise x product
stage: one node per producer and stage (the traced lot, enterprises and exports stay
themselves), bands summed between them; clicking a group expands it into its lots
(portal.js). The chart data carries the lot-level graph and each lot's group, so the
expansion needs no request; the table below lists every edge.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from reetrace.ledger.choices import EventKind
from reetrace.portal.flows import lot_stage, stage_label
from reetrace.portal.templatetags.portal import kg, reo_summary
from reetrace.trace.genealogy import Genealogy

__all__ = ["GROUP_ABOVE", "genealogy_chart", "genealogy_edges"]

GROUP_ABOVE = 40  # lots; above this the chart opens grouped by enterprise x stage


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


def _short(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _groups(
    keys: list[str], nodes: dict[str, dict], root: str
) -> tuple[list[int], list[str], list[str]]:
    """Each node's group (-1: drawn alone), each group's short label 'producer · stage (n)'
    for the chart and its full title for the hover and the expand buttons. Where
    producers x stages would still be more than GROUP_ABOVE groups, lots are grouped
    by stage alone."""

    def group_of(node: dict, by_producer: bool) -> tuple[str, str]:
        producer = node.get("producer_name") or node.get("producer") or ""
        return (producer if by_producer else "", lot_stage(None, node.get("form") or ""))

    lots = [k for k in keys if nodes[k]["type"] == "lot" and k != f"lot:{root}"]
    by_producer = len({group_of(nodes[k], True) for k in lots}) <= GROUP_ABOVE
    found: dict[tuple[str, str], int] = {}
    counts: list[int] = []
    of = []
    for key in keys:
        if key not in lots:
            of.append(-1)
            continue
        group = group_of(nodes[key], by_producer)
        if group not in found:
            found[group] = len(found)
            counts.append(0)
        of.append(found[group])
        counts[found[group]] += 1
    labels, titles = [""] * len(found), [""] * len(found)
    for (producer, stage), n in found.items():
        full = stage_label(stage)
        brief = full.replace("（", " (").split(" (")[0]
        lots_word = _("%(n)s lots") % {"n": counts[n]}
        titles[n] = f"{producer or _('all producers')} · {full} ({lots_word})"
        labels[n] = f"{_short(producer) + ' · ' if producer else ''}{brief} ({counts[n]})"
    return of, labels, titles


def genealogy_chart(root: str, *graphs: Genealogy) -> dict:
    """Plotly sankey data; node `url` opens that lot's page, `root` is highlighted.

    `groups` and `group_labels` say how to draw it by enterprise x stage, `grouped`
    whether to start so (more than GROUP_ABOVE lots)."""
    nodes, edges = _merged(*graphs)
    keys = list(nodes)
    index = {key: n for n, key in enumerate(keys)}
    groups, group_labels, group_titles = _groups(keys, nodes, root)
    lots = sum(1 for node in nodes.values() if node["type"] == "lot")
    return {
        "groups": groups,
        "group_labels": group_labels,
        "group_titles": group_titles,
        "grouped": lots > GROUP_ABOVE,
        "unit": "kg",
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
