"""What a lot or a genealogy looks like to a given actor.

National roles see the whole graph. An enterprise user sees its own lots and
custody in full, and other parties only as 'another enterprise', so tracing its
own material never reveals a competitor's customers. The generation summaries
carry counts and kg only, no names, and the same kg are on the edges shown.
"""

from __future__ import annotations

from reetrace.accounts.models import User
from reetrace.core.errors import ReetraceError
from reetrace.ledger.codes import lot_code_validate
from reetrace.ledger.models import Lot
from reetrace.ledger.rules import CHINA_TIME
from reetrace.trace.genealogy import Genealogy

REDACTED = "(another enterprise)"


def lot_verify(code: str) -> dict:
    try:
        clean = lot_code_validate(code, field="code")
    except ReetraceError:
        return {"code": code, "genuine": False}
    lot = Lot.objects.select_related("product", "producer", "created_by").filter(code=clean).first()
    if lot is None:
        return {"code": clean, "genuine": False}
    made = lot.created_by.event_time.astimezone(CHINA_TIME)
    return {
        "code": clean,
        "genuine": True,
        "product": lot.product.description,
        "form": lot.product.form,
        "producer": lot.producer.display_name,
        "production_month": f"{made:%Y-%m}",
    }


def genealogy_redact(graph: Genealogy, *, actor: User) -> Genealogy:
    """Hide parties that are neither the actor nor its direct counterparty."""
    if actor.is_national:
        return graph
    own = actor.enterprise.identifier if actor.enterprise else ""
    known: set[str | None] = {own}
    for edge in graph.edges:
        if edge.kind == "ship" and edge.detail.get("seller") == own:
            known.add(edge.target.removeprefix("enterprise:"))
        elif edge.kind == "ship" and edge.target == f"enterprise:{own}":
            known.add(edge.detail.get("seller"))
    renamed: dict[str, str] = {}
    for key, node in list(graph.nodes.items()):
        if node["type"] == "lot" and node["producer"] not in known:
            node["producer"], node["producer_name"] = REDACTED, REDACTED
        elif node["type"] == "enterprise" and node["identifier"] not in known:
            node["identifier"], node["name"] = REDACTED, REDACTED
            renamed[key] = f"enterprise:redacted-{len(renamed) + 1}"
        elif node["type"] == "export" and node["exporter"] != own:
            for field in ("consignee", "end_user", "licence", "exporter", "declaration"):
                node[field] = REDACTED
            renamed[key] = f"export:redacted-{len(renamed) + 1}"
    for old, new in renamed.items():
        graph.nodes[new] = graph.nodes.pop(old)
    for edge in graph.edges:
        if edge.target in renamed:
            edge.target, edge.event_id = renamed[edge.target], None
        if edge.detail.get("seller") not in (None, *known):
            edge.detail["seller"] = REDACTED
    for origin in graph.origins:
        if origin["enterprise"] not in known:
            origin.update(enterprise=REDACTED, quota=None, customs_declaration="", event_id=None)
    for frontier in graph.unresolved:
        if frontier["enterprise"] not in known:
            frontier["enterprise"] = REDACTED
    return graph
