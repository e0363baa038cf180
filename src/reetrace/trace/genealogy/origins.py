"""Upstream: the traced lot's content of each element attributed back to its origins.

Shares flow from each lot to its parents in proportion to the REO each parent
contributed, through every path, in topological order (a lot's whole share is
known before it flows on). At a frontier lot (one with links beyond the lots
shown) whatever share does not flow on to a parent shown is reported there as
`unresolved`, so origins and unresolved together account for the lot's content.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from reetrace.trace.genealogy.graph import TraceGraph
from reetrace.trace.genealogy.result import Genealogy, rounded, totals

__all__ = ["origins_add"]

Amounts = dict[str, Decimal]


def origins_add(result: Genealogy, graph: TraceGraph, root: int) -> None:
    """The origin lots with what each contributed, the unresolved frontier, the totals."""
    lots = graph.lots
    content_of_root = {el: v for el, v in lots[root]["reo_kg"].items() if v}
    share, unresolved = _shares(graph, root, content_of_root)
    parents = {link.child_id for link in graph.inside}
    roots = [i for i in graph.shown if i not in parents and i not in graph.more]
    for lot_id in sorted(roots, key=lambda i: lots[i]["code"]):
        record = graph.origins.get(lot_id)
        result.origins.append(
            {
                "lot": lots[lot_id]["code"],
                "kind": record.kind if record else "unknown",
                "enterprise": lots[lot_id]["producer"],
                "quota": record.quota if record else None,
                "origin_country": record.country if record else "",
                "customs_declaration": record.declaration if record else "",
                "source": record.source if record else "",
                "event_id": record.event_id if record else None,
                "attributed_reo_kg": rounded(share.get(lot_id, {})),
            }
        )
    for lot_id in sorted(unresolved, key=lambda i: (graph.depth[i], lots[i]["code"])):
        amounts = rounded(unresolved[lot_id])
        if amounts:
            result.unresolved.append(
                {
                    "lot": lots[lot_id]["code"],
                    "depth": graph.depth[lot_id],
                    "enterprise": lots[lot_id]["producer"],
                    "links_beyond": graph.more[lot_id],
                    "reo_kg": amounts,
                }
            )
    result.attribution = {
        "lot_reo_kg": rounded(content_of_root),
        "origins_reo_kg": totals(o["attributed_reo_kg"] for o in result.origins),
        "unresolved_reo_kg": totals(u["reo_kg"] for u in result.unresolved),
    }


def _shares(
    graph: TraceGraph, root: int, content_of_root: Amounts
) -> tuple[dict[int, Amounts], dict[int, Amounts]]:
    """REO of the root reaching each lot shown, and what stops at each frontier lot."""
    parents: dict[int, list[tuple[int, Amounts]]] = defaultdict(list)
    for link in graph.inside:
        parents[link.child_id].append((link.parent_id, link.reo_kg))
    share: dict[int, Amounts] = defaultdict(lambda: defaultdict(Decimal))
    share[root] = defaultdict(Decimal, content_of_root)
    unresolved: dict[int, Amounts] = {}
    for lot_id in _topological_from(root, parents):
        mine = share.get(lot_id)
        if not mine:
            continue
        content = graph.lots[lot_id]["reo_kg"]
        left = dict(mine) if lot_id in graph.more else None
        for parent_id, reo in parents.get(lot_id, ()):
            theirs = share[parent_id]
            for element, amount in mine.items():
                part, whole = reo.get(element), content.get(element)
                if part and whole:
                    flow = amount * part / whole
                    theirs[element] += flow
                    if left is not None:
                        left[element] -= flow
        if left is not None:
            unresolved[lot_id] = left
    return share, unresolved


def _topological_from(root: int, parents: dict[int, list[tuple[int, Amounts]]]) -> list[int]:
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
