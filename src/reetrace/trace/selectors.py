"""Reads of the ledger for people and machines, always scoped to the actor.

An enterprise user sees its own stock, the shipments it sent or that are
addressed to it, and its own exports; national roles see everything; a partner
analyst sees only aggregates without names or prices.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import Forbidden, NotFound
from reetrace.core.quantities import round_kg
from reetrace.ledger.choices import Bucket
from reetrace.ledger.codes import lot_code_validate
from reetrace.ledger.models import (
    ExportDeclaration,
    Lot,
    LotElement,
    MonthlyExport,
    Posting,
    Receipt,
    Shipment,
)
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Enterprise
from reetrace.trace.genealogy import DEFAULT_LIMIT, Direction, Genealogy, genealogy
from reetrace.trace.visibility import genealogy_redact


def lot_visible(*, actor: User, code: str) -> Lot:
    """A lot the actor may look at: any for national roles, held or made ones for enterprises."""
    lots = Lot.objects.select_related("product", "producer").filter(
        code=lot_code_validate(code, field="code")
    )
    held = Posting.objects.filter(lot_id=OuterRef("pk"))
    lot = visible_to(
        actor,
        lots,
        own=lambda enterprise: (
            Q(producer_id=enterprise) | Exists(held.filter(holder_id=enterprise))
        ),
    ).first()
    if lot is None:
        raise NotFound("lot", code)
    return lot


def genealogy_visible(
    *,
    actor: User,
    code: str,
    direction: Direction,
    limit: int | None = DEFAULT_LIMIT,
    depth: int | None = None,
) -> Genealogy:
    """A lot's genealogy as the actor may see it: the lot looked up (`lot_visible`),
    traced (bounded by `limit` and `depth`) and redacted for the actor."""
    lot = lot_visible(actor=actor, code=code)
    graph = genealogy(lot, direction, limit=limit, depth=depth)
    return genealogy_redact(graph, actor=actor)


def enterprise_visible(*, actor: User, identifier: str) -> Enterprise:
    enterprise = Enterprise.objects.filter(identifier=identifier).first()
    if enterprise is None:
        raise NotFound("enterprise", identifier)
    if not actor.scope.sees(enterprise.pk):
        raise Forbidden("you may see only your own enterprise's stock and registers")
    return enterprise


def stock_of(*, enterprise: Enterprise) -> list[dict]:
    """Lots the enterprise holds (and has in transit to it), with per-element REO kg.

    Postings are summed per lot before any join: a holder has thousands of postings
    and a few dozen lots left, and joining every posting to its lot and product first
    made the grouping twice as slow."""
    balances = list(
        Posting.objects.filter(holder=enterprise)
        .values("lot_id", "bucket")
        .annotate(kg=Sum("kg"))
        .exclude(kg=0)
    )
    held = [b["lot_id"] for b in balances]
    lots = {
        lot_id: (code, product, form)
        for lot_id, code, product, form in Lot.objects.filter(id__in=held).values_list(
            "id", "code", "product__code", "product__form"
        )
    }
    fractions: dict[int, dict[str, Decimal]] = {}
    for lot_id, element, fraction in LotElement.objects.filter(lot_id__in=held).values_list(
        "lot_id", "element", "fraction"
    ):
        fractions.setdefault(lot_id, {})[element] = fraction
    balances.sort(key=lambda b: (lots[b["lot_id"]][0], b["bucket"]))
    return [
        {
            "lot": lots[b["lot_id"]][0],
            "product": lots[b["lot_id"]][1],
            "form": lots[b["lot_id"]][2],
            "state": "in_stock" if b["bucket"] == Bucket.STOCK else "in_transit",
            "kg": b["kg"],
            "reo_kg": {
                el: round_kg(b["kg"] * f * ELEMENTS[el].metal_to_oxide)
                for el, f in fractions.get(b["lot_id"], {}).items()
            },
        }
        for b in balances
    ]


def shipments_visible(*, actor: User) -> QuerySet[Shipment]:
    shipments = Shipment.objects.filter(event__corrected_by__isnull=True)
    return visible_to(
        actor, shipments, own=lambda enterprise: Q(seller_id=enterprise) | Q(buyer_id=enterprise)
    )


def transaction_register(
    *,
    actor: User,
    seller: str | None = None,
    buyer: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[dict]:
    """Sales with volumes, prices and customer names, for the actor's scope."""
    shipments = shipments_visible(actor=actor).select_related("event", "seller", "buyer", "lot")
    if seller:
        shipments = shipments.filter(seller__identifier=seller)
    if buyer:
        shipments = shipments.filter(buyer__identifier=buyer)
    if start:
        shipments = shipments.filter(event__period__gte=start)
    if end:
        shipments = shipments.filter(event__period__lte=end)
    received = dict(
        Receipt.objects.filter(shipment__in=shipments, event__corrected_by__isnull=True)
        .values("shipment_id")
        .annotate(kg=Sum("kg"))
        .values_list("shipment_id", "kg")
    )
    return [
        {
            "event_id": s.event.event_id,
            "date": s.event.event_time,
            "seller": s.seller.identifier,
            "seller_name": s.seller.display_name,
            "buyer": s.buyer.identifier,
            "buyer_name": s.buyer.display_name,
            "lot": s.lot.code,
            "kg": s.kg,
            "received_kg": received.get(s.pk, Decimal(0)),
            "unit_price": s.unit_price,
            "currency": s.currency,
            "contract": s.contract,
        }
        for s in shipments.order_by("event__event_time", "pk")
    ]


def exports_visible(*, actor: User) -> QuerySet[ExportDeclaration]:
    exports = ExportDeclaration.objects.filter(event__corrected_by__isnull=True)
    return visible_to(actor, exports, own=lambda enterprise: Q(exporter_id=enterprise))


def export_register(
    *,
    actor: User,
    exporter: str | None = None,
    destination: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[dict]:
    exports = exports_visible(actor=actor).select_related("event", "exporter", "lot")
    if exporter:
        exports = exports.filter(exporter__identifier=exporter)
    if destination:
        exports = exports.filter(destination=destination.upper())
    if start:
        exports = exports.filter(event__period__gte=start)
    if end:
        exports = exports.filter(event__period__lte=end)
    return [
        {
            "event_id": x.event.event_id,
            "date": x.event.event_time,
            "exporter": x.exporter.identifier,
            "exporter_name": x.exporter.display_name,
            "lot": x.lot.code,
            "kg": x.kg,
            "customs_declaration": x.customs_declaration,
            "hs_code": x.hs_code,
            "destination": x.destination,
            "consignee": x.consignee,
            "end_user": x.end_user,
            "licence": x.licence_number,
            "fob_value": x.fob_value,
            "currency": x.currency,
        }
        for x in exports.order_by("event__event_time", "pk")
    ]


CONFIDENTIAL_MIN_EXPORTERS = 3


def export_summary(
    *, start: date | None = None, end: date | None = None, min_exporters: int = 1
) -> list[dict]:
    """Exported kg by month, destination and HS code: no names, no prices.

    Cells with fewer than `min_exporters` exporters would reveal one company's
    volume; like a statistics office, they are pooled per month into one
    'confidential' row (destination '**').
    """
    # The monthly export summary, kept by capture, holds the declarations in force per
    # month, destination, HS code and exporter: grouping it needs no event, correction
    # or declaration (the declarations of a year at medium scale took 0.3 s).
    exports = MonthlyExport.objects.exclude(kg=0)
    if start:
        exports = exports.filter(period__gte=start)
    if end:
        exports = exports.filter(period__lte=end)
    rows = (
        exports.values("period", "destination", "hs_code")
        .annotate(kg=Sum("kg"), exporters=Count("exporter_id"))
        .order_by("period", "destination", "hs_code")
    )
    cells: list[dict] = []
    pooled: dict[date, Decimal] = {}
    for r in rows:
        if r["exporters"] < min_exporters:
            pooled[r["period"]] = pooled.get(r["period"], Decimal(0)) + r["kg"]
            continue
        cells.append(_summary_cell(r["period"], r["destination"], r["hs_code"], r["kg"]))
    cells += [_summary_cell(month, "**", "confidential", kg) for month, kg in pooled.items()]
    return sorted(cells, key=lambda c: (c["month"], c["destination"] == "**"))


def export_summary_visible(
    *, actor: User, start: date | None = None, end: date | None = None
) -> list[dict]:
    """The export summary as the actor may see it: cells of fewer than three exporters
    pooled, except for the national roles."""
    pooled = not actor.scope.every_enterprise
    min_exporters = CONFIDENTIAL_MIN_EXPORTERS if pooled else 1
    return export_summary(start=start, end=end, min_exporters=min_exporters)


def _summary_cell(month: date, destination: str, hs_code: str, kg: Decimal) -> dict:
    return {"month": f"{month:%Y-%m}", "destination": destination, "hs_code": hs_code, "kg": kg}
