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
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import FRACTION_QUANTUM, KG_QUANTUM, PPB, round_kg
from reetrace.ledger.models import Lot
from reetrace.registry.elements import ELEMENTS

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_DEPTH = 1_000
Direction = Literal["up", "down"]

_STEP = {"up": ("parent_id", "child_id"), "down": ("child_id", "parent_id")}
# Not voided: one probe of the correction's unique index per row. (A hashed
# `NOT IN (SELECT corrected_id ...)` hashed every correction of the ledger for
# each trace: 4,000 at medium scale, most of a small downstream trace's time.)
_UNVOIDED = "NOT EXISTS (SELECT 1 FROM ledger_correction c WHERE c.corrected_id = {}.event_id)"
_NOT_VOIDED = _UNVOIDED.format("l")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _walk_sql(direction: Direction, *, bounded: bool) -> str:
    """`seen`: the lots reachable from %s (the root first), nearest generation first.

    A lot enters the walk once (UNION on the lot alone), so the walk is linear in
    the lots it reaches and, cut by a LIMIT, keeps the nearest ones: both databases
    evaluate a recursive UNION breadth first. PostgreSQL reads each lot's links by a
    LATERAL index lookup (a fenced subquery), because on a small table, or one
    without statistics yet, its planner hash-joins a full scan of LotLink at every
    generation. SQLite takes the LIMIT inside the recursion; PostgreSQL stops the
    walk once `seen` is full.
    """
    far, near = _STEP[direction]
    if _postgres():
        return f"""
        WITH RECURSIVE walk(lot_id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT n.lot_id FROM walk CROSS JOIN LATERAL (
                SELECT l.{far} AS lot_id FROM ledger_lotlink l
                WHERE l.{near} = walk.lot_id AND {_NOT_VOIDED}
                OFFSET 0
            ) n
        ),
        seen AS MATERIALIZED (SELECT lot_id FROM walk {"LIMIT %s" if bounded else ""})
        """
    return f"""
        WITH RECURSIVE walk(lot_id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT l.{far} FROM ledger_lotlink l JOIN walk ON l.{near} = walk.lot_id
            WHERE {_NOT_VOIDED}
            {"LIMIT %s" if bounded else ""}
        ),
        seen AS MATERIALIZED (SELECT lot_id FROM walk)
        """


def _each(table: str, alias: str, column: str, lots: str = "seen") -> str:
    """FROM clause: the rows of `table` whose `column` is a lot of `lots` (a CTE).

    One index lookup per lot whatever the statistics say (a fenced LATERAL on
    PostgreSQL, fenced again so the joins to small registry tables stay outside the
    per-lot loop; SQLite's planner does this by itself).
    """
    if _postgres():
        return (
            f"(SELECT {alias}.* FROM {lots} CROSS JOIN LATERAL (SELECT * FROM {table} {alias} "
            f"WHERE {alias}.{column} = {lots}.lot_id OFFSET 0) {alias} OFFSET 0) {alias}"
        )
    return f"{lots} JOIN {table} {alias} ON {alias}.{column} = {lots}.lot_id"


def _links_sql(direction: Direction) -> str:
    """`links`: every live link from a lot of `seen`, `inside` when its far end is seen too."""
    far, near = _STEP[direction]
    return f"""
        links AS MATERIALIZED (
            SELECT l.parent_id, l.child_id, l.kg, l.reo_kg, l.event_id, l.{near} AS near_id,
                   l.{far} IN (SELECT lot_id FROM seen) AS inside
            FROM {_each("ledger_lotlink", "l", near)}
            WHERE {_NOT_VOIDED}
        )"""


_EVENT = "(SELECT ev.{} FROM ledger_event ev WHERE ev.id = {}.event_id)"

# The trace statement answers with rows of one shape, told apart by `kind`:
# (kind, a, b, c, t1 .. t8, at); the comment on each branch names its columns.
_LOT, _LINK, _BEYOND, _SHIP, _EXPORT, _ORIGIN = range(6)
_WIDTH = 13


def _branch(kind: int, columns: list[str], source: str) -> str:
    padded = [str(kind), *columns, *["NULL"] * (_WIDTH - 1 - len(columns))]
    return f"SELECT {', '.join(padded)} FROM {source}"


def _trace_sql(direction: Direction, *, bounded: bool) -> str:
    """The walk and everything the trace shows of its lots, in one statement."""
    concat = "string_agg" if _postgres() else "group_concat"
    text = "CAST({} AS TEXT)"
    branches = [
        # lot: id, -, mass mg, code, product, form, producer, names en/zh, elements, -, made
        _branch(
            _LOT,
            [
                "lot.id",
                "CAST(NULL AS BIGINT)",
                "lot.mass_kg",
                text.format("lot.code"),
                "p.code",
                "p.form",
                "ent.identifier",
                "ent.name_en",
                "ent.name_zh",
                f"""(SELECT {concat}(le.element || '=' || le.fraction, ',')
                     FROM ledger_lotelement le WHERE le.lot_id = lot.id)""",
                "CAST(NULL AS TEXT)",
                "(SELECT ev.event_time FROM ledger_event ev WHERE ev.id = lot.created_by_id)",
            ],
            f"""{_each("ledger_lot", "lot", "id")}
                JOIN registry_product p ON p.id = lot.product_id
                JOIN registry_enterprise ent ON ent.id = lot.producer_id""",
        ),
        # link between lots kept: parent, child, kg mg, REO JSON, event id
        _branch(
            _LINK,
            [
                "k.parent_id",
                "k.child_id",
                "k.kg",
                text.format("k.reo_kg"),
                _EVENT.format("event_id", "k"),
            ],
            "links k WHERE k.inside",
        ),
        # links from a kept lot to lots not kept: lot, how many
        _branch(
            _BEYOND, ["k.near_id", "COUNT(*)"], "links k WHERE NOT k.inside GROUP BY k.near_id"
        ),
    ]
    if direction == "down":
        branches += [
            # shipment: lot, kg received, kg, event id, buyer id/en/zh, seller, -, -, -, when
            _branch(
                _SHIP,
                [
                    "s.lot_id",
                    f"""(SELECT CAST(COALESCE(SUM(r.kg), 0) AS BIGINT) FROM ledger_receipt r
                         WHERE r.shipment_id = s.id AND {_UNVOIDED.format("r")})""",
                    "s.kg",
                    _EVENT.format("event_id", "s"),
                    "buyer.identifier",
                    "buyer.name_en",
                    "buyer.name_zh",
                    "seller.identifier",
                    "NULL",
                    "NULL",
                    "NULL",
                    _EVENT.format("event_time", "s"),
                ],
                f"""{_each("ledger_shipment", "s", "lot_id")}
                    JOIN registry_enterprise buyer ON buyer.id = s.buyer_id
                    JOIN registry_enterprise seller ON seller.id = s.seller_id
                    WHERE {_UNVOIDED.format("s")}""",
            ),
            # export: lot, -, kg, event id, declaration, destination, consignee, end user,
            # HS code, licence, exporter, when
            _branch(
                _EXPORT,
                [
                    "x.lot_id",
                    "NULL",
                    "x.kg",
                    _EVENT.format("event_id", "x"),
                    "x.customs_declaration",
                    "x.destination",
                    "x.consignee",
                    "x.end_user",
                    "x.hs_code",
                    "x.licence_number",
                    "exporter.identifier",
                    _EVENT.format("event_time", "x"),
                ],
                f"""{_each("ledger_exportdeclaration", "x", "lot_id")}
                    JOIN registry_enterprise exporter ON exporter.id = x.exporter_id
                    WHERE {_UNVOIDED.format("x")}""",
            ),
        ]
    else:
        # origin record: lot, -, -, event id, kind, quota, country, customs declaration, source
        branches.append(
            _branch(
                _ORIGIN,
                [
                    "o.lot_id",
                    "NULL",
                    "NULL",
                    _EVENT.format("event_id", "o"),
                    _EVENT.format("kind", "o"),
                    "(SELECT q.code FROM registry_quota q WHERE q.id = o.quota_id)",
                    "o.origin_country",
                    "o.customs_declaration",
                    "o.source",
                ],
                _each("ledger_origin", "o", "lot_id", lots="roots"),
            )
        )
    union = "\nUNION ALL\n".join(branches)
    ctes = f"{_walk_sql(direction, bounded=bounded)}, {_links_sql(direction)}"
    if direction == "up":
        # lots with no live link upstream: where origin records can be
        ctes += """, roots AS MATERIALIZED (
            SELECT lot_id FROM seen WHERE lot_id NOT IN (SELECT near_id FROM links))"""
    return f"{ctes}\n{union}"


def _link_rows_sql(direction: Direction, *, event_codes: bool, bounded: bool) -> str:
    event = _EVENT.format("event_id", "k") if event_codes else "k.event_id"
    return f"""
        {_walk_sql(direction, bounded=bounded)}, {_links_sql(direction)}
        SELECT k.parent_id, k.child_id, k.kg, k.reo_kg, {event} FROM links k
        {"WHERE k.inside" if bounded else ""}
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
    limit: int | None = None
    depth: int | None = None
    truncated: bool = False
    generations: list[dict] = field(default_factory=list)
    unresolved: list[dict] = field(default_factory=list)
    attribution: dict | None = None


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
    """The genealogy edges reachable from one lot, by one recursive query (the bare trace).

    Without a limit: every edge whose near end is in the closure. With one: the
    edges among the first `limit` lots of the same walk a bounded trace makes.
    """
    params = [lot_id] if limit is None else [lot_id, limit]
    sql = _link_rows_sql(direction, event_codes=event_codes, bounded=limit is not None)
    return _fetch(sql, params)


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
    trace = _Trace(
        lot.pk, direction, _fetch(_trace_sql(direction, bounded=limit is not None), params)
    )
    trace.keep_within(depth)
    result = Genealogy(lot.code, direction, limit=limit, depth=depth, truncated=bool(trace.more))
    lots = trace.lots
    for lot_id in sorted(trace.shown, key=lambda i: (trace.depth[i], lots[i]["code"])):
        node = lots[lot_id]
        node["depth"] = trace.depth[lot_id]
        node["more"] = trace.more.get(lot_id, 0)
        result.nodes[f"lot:{node['code']}"] = node
    for parent_id, child_id, kg_mg, reo, event_id in sorted(
        trace.inside, key=lambda r: (trace.depth[r[0]] + trace.depth[r[1]], r[0], r[1])
    ):
        result.edges.append(
            Edge(
                f"lot:{lots[parent_id]['code']}",
                f"lot:{lots[child_id]['code']}",
                "transform",
                _kg(kg_mg),
                reo,
                event_id,
            )
        )
    if direction == "up":
        _add_origins(result, trace, lot.pk)
    else:
        _add_custody(result, trace)
    result.generations = _generations(result, trace)
    return result


class _Trace:
    """The rows of the trace statement, sorted out: lots with their generation,
    the links between them, the frontier, and their custody or origin records."""

    def __init__(self, root: int, direction: Direction, rows: list[tuple]) -> None:
        self.direction = direction
        self.lots: dict[int, dict] = {}
        self.inside: list[tuple] = []  # (parent, child, kg mg, REO kg per element, event id)
        self.more: dict[int, int] = defaultdict(int)  # links from a lot to lots not shown
        self.shipments: list[tuple] = []
        self.exports: list[tuple] = []
        self.origins: dict[int, tuple] = {}
        fractions: dict[str, Decimal] = {}
        for kind, a, b, c, *texts, at in rows:
            if kind == _LOT:
                self.lots[a] = _lot_node(c, texts, at, fractions)
            elif kind == _LINK:
                self.inside.append((a, b, c, _json_decimals(texts[0]), texts[1]))
            elif kind == _BEYOND:
                self.more[a] += b
            elif kind == _SHIP:
                self.shipments.append((a, b, c, texts[:5], at))
            elif kind == _EXPORT:
                self.exports.append((a, c, texts, at))
            else:
                self.origins[a] = texts[:6]
        self.depth = self._levels(root)
        self.shown = set(self.lots)

    def _levels(self, root: int) -> dict[int, int]:
        """Generation of each lot: its shortest path from the root (breadth first).

        The walk keeps the nearest lots, so every lot on a shortest path to a kept
        lot is kept too, and the links between kept lots give the true generation.
        """
        onward: dict[int, list[int]] = defaultdict(list)
        for parent, child, *_ in self.inside:
            if self.direction == "up":
                onward[child].append(parent)
            else:
                onward[parent].append(child)
        levels = {root: 0}
        frontier = [root]
        while frontier:
            following = []
            for lot_id in frontier:
                for far in onward.get(lot_id, ()):
                    if far not in levels:
                        levels[far] = levels[lot_id] + 1
                        following.append(far)
            frontier = following
        return levels

    def keep_within(self, depth: int | None) -> None:
        """Show only the lots within `depth` generations; links to the rest become `more`."""
        if depth is not None and any(level > depth for level in self.depth.values()):
            self.shown = {i for i in self.lots if self.depth[i] <= depth}
            near = 1 if self.direction == "up" else 0
            kept = []
            for row in self.inside:
                if row[near] in self.shown and row[1 - near] in self.shown:
                    kept.append(row)
                elif row[near] in self.shown:
                    self.more[row[near]] += 1
            self.inside = kept
        self.more = {i: n for i, n in self.more.items() if i in self.shown}


_FACTOR = {el: e.metal_to_oxide for el, e in ELEMENTS.items()}


def _kg(mg: int) -> Decimal:
    """Integer milligrams as kg with six decimals: `mg_to_kg`, in one Decimal step."""
    return Decimal(mg).scaleb(-6)


def _lot_node(mg: int, texts: list, made, fractions: dict[str, Decimal]) -> dict:
    """A lot's facts with its composition and REO kg per element (as metal x factor)."""
    code, product, form, producer, name_en, name_zh, elements, _ = texts
    kg = _kg(mg)
    composition: dict[str, Decimal] = {}
    reo: dict[str, Decimal] = {}
    for pair in elements.split(",") if elements else ():
        element, ppb = pair.split("=")
        fraction = fractions.get(ppb)
        if fraction is None:
            fraction = fractions[ppb] = (Decimal(int(ppb)) / PPB).quantize(FRACTION_QUANTUM)
        composition[element] = fraction
        reo[element] = (kg * fraction * _FACTOR[element]).quantize(KG_QUANTUM, ROUND_HALF_EVEN)
    return {
        "type": "lot",
        "code": code,
        "product": product,
        "form": form,
        "producer": producer,
        "producer_name": name_en or name_zh,
        "mass_kg": kg,
        "made_at": _moment(made),
        "composition": composition,
        "reo_kg": reo,
    }


def _add_origins(result: Genealogy, trace: _Trace, root: int) -> None:
    """Attribute the traced lot's REO back to each origin lot along every path.

    Shares flow from each lot to its parents in proportion to the REO each parent
    contributed, in topological order (a lot's whole share is known before it
    flows on). At a frontier lot (one with links beyond the lots shown) whatever
    share does not flow on to a parent shown is reported as unresolved there, so
    origins and unresolved together account for the whole content of the lot.
    """
    lots = trace.lots
    parents: dict[int, list[tuple[int, dict[str, Decimal]]]] = defaultdict(list)
    for parent_id, child_id, _kg, reo, _event in trace.inside:
        parents[child_id].append((parent_id, reo))
    content_of_root = {el: v for el, v in lots[root]["reo_kg"].items() if v}
    share: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    share[root] = defaultdict(Decimal, content_of_root)
    unresolved: dict[int, dict[str, Decimal]] = {}
    for lot_id in _topological_from(root, parents):
        mine = share.get(lot_id)
        if not mine:
            continue
        content = lots[lot_id]["reo_kg"]
        left = dict(mine) if lot_id in trace.more else None
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
    roots = [i for i in trace.shown if i not in parents and i not in trace.more]
    for lot_id in sorted(roots, key=lambda i: lots[i]["code"]):
        event_id, kind, quota, country, declaration, source = trace.origins.get(
            lot_id, (None, "unknown", None, "", "", "")
        )
        result.origins.append(
            {
                "lot": lots[lot_id]["code"],
                "kind": kind,
                "enterprise": lots[lot_id]["producer"],
                "quota": quota,
                "origin_country": country,
                "customs_declaration": declaration,
                "source": source,
                "event_id": event_id,
                "attributed_reo_kg": _rounded(share.get(lot_id, {})),
            }
        )
    for lot_id in sorted(unresolved, key=lambda i: (trace.depth[i], lots[i]["code"])):
        amounts = _rounded(unresolved[lot_id])
        if amounts:
            result.unresolved.append(
                {
                    "lot": lots[lot_id]["code"],
                    "depth": trace.depth[lot_id],
                    "enterprise": lots[lot_id]["producer"],
                    "links_beyond": trace.more[lot_id],
                    "reo_kg": amounts,
                }
            )
    result.attribution = {
        "lot_reo_kg": _rounded(content_of_root),
        "origins_reo_kg": _totals(o["attributed_reo_kg"] for o in result.origins),
        "unresolved_reo_kg": _totals(u["reo_kg"] for u in result.unresolved),
    }


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


def _add_custody(result: Genealogy, trace: _Trace) -> None:
    """Shipments (with what was received of each) and exports of every lot shown."""
    lots = trace.lots
    for lot_id, received_mg, mg, texts, moment in sorted(
        trace.shipments, key=lambda r: (_moment(r[4]), r[3][0])
    ):
        if lot_id not in trace.shown:
            continue
        event_id, buyer, name_en, name_zh, seller = texts
        node = f"enterprise:{buyer}"
        if node not in result.nodes:
            result.nodes[node] = {
                "type": "enterprise",
                "identifier": buyer,
                "name": name_en or name_zh or buyer,
            }
        lot, kg, received = lots[lot_id], _kg(mg), _kg(received_mg)
        result.edges.append(
            Edge(
                f"lot:{lot['code']}",
                node,
                "ship",
                kg,
                _reo_of(lot, kg),
                event_id,
                {
                    "seller": seller,
                    "received_kg": received,
                    "in_transit_kg": kg - received,
                    "date": _moment(moment),
                },
            )
        )
    for lot_id, mg, texts, moment in sorted(trace.exports, key=lambda r: (_moment(r[3]), r[2][0])):
        if lot_id not in trace.shown:
            continue
        event_id, declaration, destination, consignee, end_user, hs_code, licence, exporter = texts
        node = f"export:{declaration}"
        result.nodes[node] = {
            "type": "export",
            "declaration": declaration,
            "destination": destination,
            "consignee": consignee,
            "end_user": end_user,
            "hs_code": hs_code,
            "licence": licence,
            "exporter": exporter,
        }
        lot, kg = lots[lot_id], _kg(mg)
        result.edges.append(
            Edge(
                f"lot:{lot['code']}",
                node,
                "export",
                kg,
                _reo_of(lot, kg),
                event_id,
                {"date": _moment(moment)},
            )
        )


def _generations(result: Genealogy, trace: _Trace) -> list[dict]:
    """Per generation of the lots shown: lots, kg made, producers, origins and,
    downstream, shipments, holders (buyers) and exports. A generation is
    `complete` when no nearer lot has links beyond the graph: then all its lots
    are shown, and its figures are those of the whole generation."""
    by_code = {node["code"]: lot_id for lot_id, node in trace.lots.items()}
    first_open = min((trace.depth[i] + 1 for i in trace.more), default=None)
    origin_lots = {o["lot"] for o in result.origins}
    rows: dict[int, dict] = {}
    for lot_id in trace.shown:
        level = trace.depth[lot_id]
        row = rows.get(level)
        if row is None:
            row = rows[level] = {
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
                "complete": first_open is None or level < first_open,
            }
        node = trace.lots[lot_id]
        row["lots"] += 1
        row["kg"] += node["mass_kg"]
        row["producers"].add(node["producer"])
        row["origins"] += node["code"] in origin_lots
    for edge in result.edges:
        if edge.kind == "transform":
            continue
        row = rows[trace.depth[by_code[edge.source.removeprefix("lot:")]]]
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


def _fetch(sql: str, params: list) -> list[tuple]:
    """Rows of one trace statement, on PostgreSQL as a prepared statement.

    A trace is one recursive statement whose planning (~1.5 ms) can cost more than
    running it (a lot with nothing downstream). Prepared on the connection (which
    lives `CONN_MAX_AGE`) and run with its generic plan (settings), it is planned
    once per connection; psycopg prepares it again after a rollback dropped it.
    Django binds parameters on the client, which cannot prepare, so the statement
    goes through a psycopg cursor with server-side binding on Django's own
    connection (so in its transaction), wrapped as Django's own cursors are (query
    logging shows $1, $2 for its parameters). REETRACE_PREPARED_STATEMENTS=0 turns
    this off for poolers that cannot carry prepared statements.
    """
    if not _postgres() or not settings.REETRACE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    bound = _PreparedCursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(bound) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, prepared from the first run (Django's wrapper cannot ask)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _moment(value) -> datetime | None:
    """A timestamp read by raw SQL, aware as the ORM returns it (SQLite gives text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
    return value


def _rounded(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {el: round_kg(v) for el, v in amounts.items() if v}


def _totals(maps) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for amounts in maps:
        for el, v in amounts.items():
            total[el] += v
    return {el: total[el] for el in ELEMENTS if total.get(el)}


def _reo_of(lot: dict, kg: Decimal) -> dict[str, Decimal]:
    if not lot["mass_kg"]:
        return {}
    return {el: round_kg(v * kg / lot["mass_kg"]) for el, v in lot["reo_kg"].items()}


def _json_decimals(raw) -> dict[str, Decimal]:
    """REO kg per element from a link's JSON (text from both databases)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return {el: Decimal(v) for el, v in raw.items()}
