"""`reetrace trace LOT --up|--down`: a lot's genealogy for an investigator at a shell.

The command runs with the operator's full view (no redaction): whoever can run
commands on the server can read the database anyway. `--json` gives the same
document the API returns, with Decimals as strings so no kg is rounded.

Like the API it shows the nearest `--limit` lots (within `--depth` generations),
says where the genealogy goes on, and summarises each generation; `--all` walks
the whole closure, which in a national chain can mean tens of thousands of lots.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rich.table import Table
from rich.tree import Tree

from reetrace.accounts.management.console import ReetraceCommand, elements_in, kg_text
from reetrace.core.errors import NotFound
from reetrace.ledger.codes import lot_code_validate
from reetrace.ledger.models import Lot
from reetrace.trace.genealogy import DEFAULT_LIMIT, MAX_LIMIT, Edge, Genealogy, genealogy


class Command(ReetraceCommand):
    help = "Trace a lot upstream to its origins or downstream to its holders and exports."

    def add_arguments(self, parser):
        parser.add_argument("lot", help="lot code, e.g. RT000000000001X")
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--up", action="store_const", const="up", dest="direction")
        direction.add_argument("--down", action="store_const", const="down", dest="direction")
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_LIMIT,
            help=f"most lots shown, nearest generations first (default {DEFAULT_LIMIT}, "
            f"at most {MAX_LIMIT})",
        )
        parser.add_argument("--depth", type=int, help="most generations from the lot")
        parser.add_argument(
            "--all", action="store_true", help="no limit: the whole closure (may be slow)"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        code = lot_code_validate(options["lot"], field="lot")
        lot = Lot.objects.filter(code=code).first()
        if lot is None:
            raise NotFound("lot", code)
        limit = None if options["all"] else options["limit"]
        graph = genealogy(lot, options["direction"], limit=limit, depth=options["depth"])
        if options["json"]:
            self.stdout.write(json.dumps(asdict(graph), cls=DjangoJSONEncoder, indent=2))
            return
        console = self.console()
        console.print(_tree(graph))
        console.print(_lots_table(graph))
        if graph.edges:
            console.print(_edges_table(graph))
        console.print(_generations_table(graph))
        if graph.direction == "up":
            console.print(_origins_table(graph))
            if graph.unresolved:
                console.print(_unresolved_table(graph))
        if graph.truncated:
            console.print(
                f"[yellow]The genealogy goes on beyond the {_lots_shown(graph)} lots shown "
                "(lots marked 'more'): trace those lots, or raise --limit (or --all).[/]"
            )


def _tree(graph: Genealogy) -> Tree:
    """Parents under children going up, children under parents going down."""
    arrow = "upstream to origins" if graph.direction == "up" else "downstream to holders"
    root = f"lot:{graph.lot}"
    tree = Tree(f"[bold]{_label(graph.nodes[root])}[/] ({arrow})")
    below: dict[str, list[tuple[Edge, str]]] = {}
    for edge in graph.edges:
        near, far = (
            (edge.target, edge.source)
            if graph.direction == "up"
            else (
                edge.source,
                edge.target,
            )
        )
        below.setdefault(near, []).append((edge, far))
    _grow(tree, root, graph, below, shown={root})
    return tree


def _grow(branch: Tree, key: str, graph: Genealogy, below: dict, shown: set[str]) -> None:
    for edge, far in below.get(key, []):
        via = f"{edge.kind} {kg_text(edge.kg)} kg" + (
            f" ({edge.event_id})" if edge.event_id else ""
        )
        if far in shown:
            branch.add(f"{_label(graph.nodes[far])} via {via} (shown above)")
            continue
        shown.add(far)
        _grow(branch.add(f"{_label(graph.nodes[far])} via {via}"), far, graph, below, shown)


def _label(node: dict) -> str:
    if node["type"] == "lot":
        more = f" [yellow](+{node['more']} links not shown)[/]" if node.get("more") else ""
        return (
            f"{node['code']} {node['product']} of {node['producer']}, "
            f"{kg_text(node['mass_kg'])} kg{more}"
        )
    if node["type"] == "enterprise":
        return f"{node['identifier']} {node['name']}"
    return f"export {node['declaration']} to {node['destination']} ({node['consignee']})"


def _lots_table(graph: Genealogy) -> Table:
    lots = [n for n in graph.nodes.values() if n["type"] == "lot"]
    elements = elements_in(*(n["reo_kg"] for n in lots))
    table = Table("lot", "generation", "product", "producer", "mass kg", title="lots")
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for node in sorted(lots, key=lambda n: (n["depth"], n["code"])):
        reo = [kg_text(node["reo_kg"].get(el)) for el in elements]
        table.add_row(
            node["code"] + (" (more)" if node["more"] else ""),
            str(node["depth"]),
            node["product"],
            node["producer"],
            kg_text(node["mass_kg"]),
            *reo,
        )
    return table


def _lots_shown(graph: Genealogy) -> int:
    return sum(1 for n in graph.nodes.values() if n["type"] == "lot")


def _generations_table(graph: Genealogy) -> Table:
    """Per generation: lots, mass, producers and, downstream, custody; complete or not."""
    columns = ["generation", "lots", "mass kg", "producers"]
    if graph.direction == "up":
        columns += ["origins"]
    else:
        columns += ["shipments", "shipped kg", "buyers", "exports", "exported kg"]
    table = Table(*columns, "complete", title="generations shown")
    for row in graph.generations:
        cells = [str(row["depth"]), f"{row['lots']:,}", kg_text(row["kg"]), str(row["producers"])]
        if graph.direction == "up":
            cells += [str(row["origins"])]
        else:
            cells += [
                str(row["shipments"]),
                kg_text(row["shipped_kg"]),
                str(row["holders"]),
                str(row["exports"]),
                kg_text(row["export_kg"]),
            ]
        table.add_row(*cells, "yes" if row["complete"] else "partly shown")
    return table


def _unresolved_table(graph: Genealogy) -> Table:
    """REO that flows beyond the lots shown, per frontier lot, and the totals."""
    elements = elements_in(*(u["reo_kg"] for u in graph.unresolved))
    table = Table("frontier lot", "generation", "enterprise", "links beyond")
    table.title = "not yet attributed (beyond the lots shown): REO kg"
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for row in graph.unresolved:
        reo = [kg_text(row["reo_kg"].get(el)) for el in elements]
        table.add_row(
            row["lot"], str(row["depth"]), row["enterprise"], str(row["links_beyond"]), *reo
        )
    totals = graph.attribution or {}
    for label, key in (
        ("content of the lot", "lot_reo_kg"),
        ("attributed to origins", "origins_reo_kg"),
        ("not yet attributed", "unresolved_reo_kg"),
    ):
        reo = [kg_text(totals.get(key, {}).get(el)) for el in elements]
        table.add_row(label, "", "", "", *reo)
    return table


def _edges_table(graph: Genealogy) -> Table:
    elements = elements_in(*(e.reo_kg for e in graph.edges))
    table = Table("from", "to", "kind", "event", "kg", title="edges")
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for edge in graph.edges:
        reo = [kg_text(edge.reo_kg.get(el)) for el in elements]
        table.add_row(
            edge.source, edge.target, edge.kind, edge.event_id or "", kg_text(edge.kg), *reo
        )
    return table


def _origins_table(graph: Genealogy) -> Table:
    """Where the traced lot's REO came from, element by element."""
    elements = elements_in(*(o["attributed_reo_kg"] for o in graph.origins))
    table = Table("origin lot", "kind", "enterprise", "quota / country / source", "event")
    table.title = f"origins of {graph.lot}: attributed REO kg"
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for origin in graph.origins:
        basis = origin["quota"] or origin["origin_country"] or origin["source"] or ""
        reo = [kg_text(origin["attributed_reo_kg"].get(el)) for el in elements]
        table.add_row(
            origin["lot"],
            origin["kind"],
            origin["enterprise"],
            basis,
            origin["event_id"] or "",
            *reo,
        )
    return table
