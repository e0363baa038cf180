"""A lot's genealogy: upstream to its origins, downstream to its holders and exports.

A trace is bounded by design. One recursive SQL statement walks the LotLink edges
(indexed both ways) nearest generation first and stops after `limit` lots, so its
cost depends on the limit, not on how far the material travelled: in a national
chain a separator blends hundreds of ore lots, and the downstream closure of one
ore lot reaches tens of thousands of lots. The same statement returns, for the
lots it kept, their facts, the links between them, how many links lead beyond
them, and their custody (downstream) or origin records (upstream): one round
trip. The answer says exactly where it stops (`truncated`, and per lot `more`:
links not shown). A graph that fits under the limit is returned whole, the same
as an unbounded trace.

Upstream, the traced lot's content of each element is attributed back to the
origin lots through every path, in proportion to what each input contributed of
that element. When the graph is truncated, whatever share reaches a frontier lot
(one with links beyond the graph) and does not flow on to a parent shown is
reported there as `unresolved`, so origins plus unresolved account for the lot's
whole content. Voided transformations are skipped. A lot's generation (`depth`)
is its shortest path from the traced lot.

The pieces: `sql.py` (the statement, per engine), `rows.py` (its row types),
`fetch.py` (running it, prepared on PostgreSQL), `graph.py` (the rows sorted into
lots, links and frontier), `origins.py` (upstream attribution), `custody.py`
(downstream holders and exports), `generations.py` (the per-generation summary)
and `result.py` (what a trace answers). `trace.selectors.genealogy_visible` is the
entry for a person: lookup, trace and redaction in one call.
"""

from __future__ import annotations

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.models import Lot
from reetrace.trace.genealogy.custody import custody_add
from reetrace.trace.genealogy.fetch import rows_fetch, vendor
from reetrace.trace.genealogy.generations import generations_of
from reetrace.trace.genealogy.graph import TraceGraph
from reetrace.trace.genealogy.origins import origins_add
from reetrace.trace.genealogy.result import Edge, Genealogy, kg_of
from reetrace.trace.genealogy.sql import Direction, link_rows_statement, trace_statement

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "Direction",
    "Edge",
    "Genealogy",
    "bounds_check",
    "genealogy",
    "link_rows",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_DEPTH = 1_000


def bounds_check(limit: int | None, depth: int | None) -> None:
    """Refuse a limit or depth outside what a trace allows, naming the parameter."""
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise ReetraceError(
            ErrorCode.INVALID, f"limit must be between 1 and {MAX_LIMIT} lots", field="limit"
        )
    if depth is not None and not 1 <= depth <= MAX_DEPTH:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"depth must be between 1 and {MAX_DEPTH} generations",
            field="depth",
        )


def link_rows(
    lot_id: int, direction: Direction, *, event_codes: bool = False, limit: int | None = None
) -> list[tuple]:
    """The genealogy edges reachable from one lot, by one recursive query (the bare trace):
    (parent id, child id, kg in mg, REO kg JSON, event).

    Without a limit: every edge whose near end is in the closure. With one: the
    edges among the first `limit` lots of the same walk a bounded trace makes.
    """
    params = [lot_id] if limit is None else [lot_id, limit]
    bounded = limit is not None
    sql = link_rows_statement(vendor(), direction, event_codes=event_codes, bounded=bounded)
    return rows_fetch(sql, params)


def genealogy(
    lot: Lot,
    direction: Direction,
    *,
    limit: int | None = DEFAULT_LIMIT,
    depth: int | None = None,
) -> Genealogy:
    """The lot's genealogy: the nearest `limit` lots within `depth` generations.

    `limit=None` walks the whole closure (an investigator's choice at the shell;
    the API and the portal always bound it).
    """
    bounds_check(limit, depth)
    params = [lot.pk] if limit is None else [lot.pk, limit]
    statement = trace_statement(vendor(), direction, bounded=limit is not None)
    graph = TraceGraph(lot.pk, direction, statement.read(rows_fetch(statement.sql, params)))
    graph.keep_within(depth)
    result = Genealogy(lot.code, direction, limit=limit, depth=depth, truncated=bool(graph.more))
    lots = graph.lots
    for lot_id in sorted(graph.shown, key=lambda i: (graph.depth[i], lots[i]["code"])):
        node = lots[lot_id]
        node["depth"] = graph.depth[lot_id]
        node["more"] = graph.more.get(lot_id, 0)
        result.nodes[f"lot:{node['code']}"] = node
    depth_of = graph.depth
    for link in sorted(
        graph.inside,
        key=lambda k: (depth_of[k.parent_id] + depth_of[k.child_id], k.parent_id, k.child_id),
    ):
        source, target = lots[link.parent_id]["code"], lots[link.child_id]["code"]
        kg = kg_of(link.kg_mg)
        edge = Edge(f"lot:{source}", f"lot:{target}", "transform", kg, link.reo_kg, link.event_id)
        result.edges.append(edge)
    if direction == "up":
        origins_add(result, graph, lot.pk)
    else:
        custody_add(result, graph)
    result.generations = generations_of(result, graph)
    return result
