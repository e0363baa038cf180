"""One validation of pagination and row keys for every operation: a page is 1 to `maximum` rows, an
offset 0 to MAX_OFFSET, anything else a 422 naming the parameter (never a query
the database cannot take, such as a negative slice or an offset past bigint)."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Path, Query
from pydantic import Field

MAX_OFFSET = 1_000_000_000


def limit_query(default: int, maximum: int) -> Any:
    return Query(default, ge=1, le=maximum, description=f"rows per page, 1 to {maximum}")


def offset_query() -> Any:
    return Query(0, ge=0, le=MAX_OFFSET, description=f"rows to skip, 0 to {MAX_OFFSET:,}")


def limit_field(default: int, maximum: int) -> Any:
    return Field(default, ge=1, le=maximum, description=f"rows per page, 1 to {maximum}")


def offset_field() -> Any:
    return Field(0, ge=0, le=MAX_OFFSET, description=f"rows to skip, 0 to {MAX_OFFSET:,}")


MAX_ROW_ID = 2**63 - 1
# A row's key in a path: a positive 64-bit integer, or a 422 (not a bigint overflow).
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the row's number")]
