"""Traceability endpoints: lots, genealogy, stock, registers and public verification."""

from __future__ import annotations

from typing import Literal

from ninja import Query, Router

from reetrace.core.access import requires
from reetrace.core.permissions import Permission
from reetrace.core.routing import replica_reads
from reetrace.core.schemas import errors
from reetrace.trace import selectors
from reetrace.trace.genealogy import DEFAULT_LIMIT, MAX_DEPTH, MAX_LIMIT
from reetrace.trace.outputs import lot_out
from reetrace.trace.schemas import (
    ExportOut,
    ExportSummaryOut,
    GenealogyOut,
    LotOut,
    RegisterFilter,
    SaleOut,
    StockLineOut,
    VerifyOut,
)
from reetrace.trace.visibility import lot_verify

router = Router(tags=["trace"])
public_router = Router(tags=["public"])
ERRORS = errors(400, 403, 404, 422)


@router.get("/lots/{code}", response={200: LotOut, **ERRORS}, operation_id="lots_get")
@requires(Permission.LEDGER_LOT_READ)
def lots_get(request, code: str):
    return lot_out(selectors.lot_visible(actor=request.auth, code=code))


@router.get(
    "/lots/{code}/genealogy",
    response={200: GenealogyOut, **ERRORS},
    operation_id="lots_genealogy",
)
@requires(Permission.TRACE_GENEALOGY_READ)
@replica_reads
def lots_genealogy(
    request,
    code: str,
    direction: Literal["up", "down"] = "up",
    limit: int = Query(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description="most lots in the graph, nearest generations first",
    ),
    depth: int | None = Query(
        None, ge=1, le=MAX_DEPTH, description="most generations from this lot"
    ),
):
    """Upstream to the origins or downstream to holders and exports, kg and REO kg per edge.

    Bounded: the nearest `limit` lots (within `depth` generations if given). When the
    genealogy goes on, `truncated` is true, lot nodes with `more` > 0 are where it
    continues (trace them, or raise `limit`), `generations` says which generations are
    complete, and upstream the REO that flows beyond the graph is listed under
    `unresolved`, so origins plus unresolved add up to the lot's content.
    """
    return selectors.genealogy_visible(
        actor=request.auth, code=code, direction=direction, limit=limit, depth=depth
    )


@router.get(
    "/enterprises/{identifier}/stock",
    response={200: list[StockLineOut], **ERRORS},
    operation_id="enterprises_stock",
)
@requires(Permission.TRACE_STOCK_READ)
def enterprises_stock(request, identifier: str):
    enterprise = selectors.enterprise_visible(actor=request.auth, identifier=identifier)
    return selectors.stock_of(enterprise=enterprise)


@router.get(
    "/registers/transactions",
    response={200: list[SaleOut], **ERRORS},
    operation_id="registers_transactions",
)
@requires(Permission.TRACE_REGISTER_READ)
@replica_reads
def registers_transactions(
    request, filters: Query[RegisterFilter], seller: str | None = None, buyer: str | None = None
):
    """Sales with volume, price and customer name, by seller, buyer and month range."""
    return selectors.transaction_register(
        actor=request.auth, seller=seller, buyer=buyer, start=filters.start, end=filters.end
    )


@router.get(
    "/registers/exports",
    response={200: list[ExportOut], **ERRORS},
    operation_id="registers_exports",
)
@requires(Permission.TRACE_EXPORT_READ)
@replica_reads
def registers_exports(
    request,
    filters: Query[RegisterFilter],
    exporter: str | None = None,
    destination: str | None = None,
):
    return selectors.export_register(
        actor=request.auth,
        exporter=exporter,
        destination=destination,
        start=filters.start,
        end=filters.end,
    )


@router.get(
    "/registers/exports/summary",
    response={200: list[ExportSummaryOut], **ERRORS},
    operation_id="registers_exports_summary",
)
@requires(Permission.TRACE_EXPORT_SUMMARY_READ)
@replica_reads
def registers_exports_summary(request, filters: Query[RegisterFilter]):
    """Exported kg by month, destination and HS code; no names or prices.

    Outside the national roles, cells with fewer than three exporters are pooled
    per month as 'confidential' so no single company's volume shows.
    """
    return selectors.export_summary_visible(
        actor=request.auth, start=filters.start, end=filters.end
    )


@public_router.get(
    "/verify/{code}", response={200: VerifyOut}, auth=None, operation_id="verify_lot"
)
def verify_lot(request, code: str):
    """Public check of a lot code (the QR label): genuine or not, nothing confidential."""
    return lot_verify(code)
