"""`reetrace trace LOT --up|--down`: a lot's genealogy for an investigator at a shell.

The command runs with the operator's full view (no redaction): whoever can run
commands on the server can read the database anyway. `--json` gives the same
document the API returns, with Decimals as strings so no kg is rounded.
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
from reetrace.trace.genealogy import Edge, Genealogy, genealogy


class Command(ReetraceCommand):
    help = "Trace a lot upstream to its origins or downstream to its holders and exports."

    def add_arguments(self, parser):
        parser.add_argument("lot", help="lot code, e.g. RT000000000001X")
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--up", action="store_const", const="up", dest="direction")
        direction.add_argument("--down", action="store_const", const="down", dest="direction")
        parser.add_argument("--json", action="store_true", help="print a JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        code = lot_code_validate(options["lot"], field="lot")
        lot = Lot.objects.filter(code=code).first()
        if lot is None:
            raise NotFound("lot", code)
        graph = genealogy(lot, options["direction"])
        if options["json"]:
            self.stdout.write(json.dumps(asdict(graph), cls=DjangoJSONEncoder, indent=2))
            return
        console = self.console()
        console.print(_tree(graph))
        console.print(_lots_table(graph))
        if graph.edges:
            console.print(_edges_table(graph))
        if graph.direction == "up":
            console.print(_origins_table(graph))


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
        return (
            f"{node['code']} {node['product']} of {node['producer']}, {kg_text(node['mass_kg'])} kg"
        )
    if node["type"] == "enterprise":
        return f"{node['identifier']} {node['name']}"
    return f"export {node['declaration']} to {node['destination']} ({node['consignee']})"


def _lots_table(graph: Genealogy) -> Table:
    lots = [n for n in graph.nodes.values() if n["type"] == "lot"]
    elements = elements_in(*(n["reo_kg"] for n in lots))
    table = Table("lot", "product", "producer", "mass kg", title="lots")
    for el in elements:
        table.add_column(f"{el} REO kg", justify="right")
    for node in sorted(lots, key=lambda n: n["code"]):
        reo = [kg_text(node["reo_kg"].get(el)) for el in elements]
        table.add_row(
            node["code"], node["product"], node["producer"], kg_text(node["mass_kg"]), *reo
        )
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
