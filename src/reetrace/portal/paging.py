"""Lists paged, sorted and filtered on the server, so a page never carries a whole table.

Every table a view hands to `export_or_render` is paged here, PAGE_SIZE rows at a
time, with "1–50 of 596" above it, sortable column headers, and the page's other
query parameters (its filters) kept in every link. Two kinds of table:

- a table of rows already computed (a few hundred at most: summaries, registers of
  a month) is sorted and cut by Django's paginator (`?page=`);
- a table over a `Listing` (a queryset that grows with the ledger: alerts,
  applications, events) is paged by keyset: the next page starts after the
  sort values of the last row shown (`?after=`), so page 200 costs what page 1 does,
  and only the rows shown are turned into table rows (`?page=N` typed by hand is
  answered too, by offset).

The first table of a page answers the plain parameters (`page`, `sort`, `after`,
`before`, `start`); another table on the same page answers them prefixed with its id
(`quota_use-page`). A download (`?export=`) gives the whole filtered set in the
chosen order, streamed. A parameter that is not understood answers 400 naming it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

from reetrace.core.tables import Table

__all__ = ["PAGE_SIZE", "Listing", "ListTable", "Pager", "PagingInvalid", "table_page"]

PAGE_SIZE = 50
CHUNK = 500  # rows per round trip while a download streams


class PagingInvalid(ValueError):
    """A paging or sorting parameter the list cannot answer; the page answers 400."""

    def __init__(self, parameter: str, problem: str):
        super().__init__(f"{parameter}: {problem}")
        self.message = f"{parameter}: {problem}"


@dataclass
class Listing:
    """A queryset a table pages by keyset.

    `sorts` maps a column key to the fields that order it, in the order a first click
    asks for (`-` for descending); the reverse order is the same key with `-`. Sort
    fields must not be NULL (annotate a coalesced value instead). `rows` turns the
    model rows of one page (or one chunk of a download) into table rows, so a
    page's related rows are fetched once for the page, not once per row.
    """

    queryset: QuerySet
    rows: Callable[[list[Model]], list[dict]]
    sorts: dict[str, tuple[str, ...]]
    default: str


@dataclass
class ListTable(Table):
    """A table whose rows are one page of a `Listing` (set by `table_page`)."""

    listing: Listing | None = None


@dataclass
class Pager:
    """What the template shows around a paged table: counts, links, sort state."""

    first: int
    last: int
    total: int
    previous: str | None
    next: str | None
    first_page: str | None
    sort: str
    sort_links: dict[str, str] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)

    @property
    def paged(self) -> bool:
        return self.previous is not None or self.next is not None


class _Params:
    """The page's query string seen from one table (its parameters maybe prefixed)."""

    def __init__(self, query: QueryDict, table_id: str, primary: bool):
        self.query = query
        self.prefix = "" if primary else f"{table_id}-"

    def name(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str:
        return self.query.get(self.name(key), "")

    def url(self, **values: str | int | None) -> str:
        """This page's query string with the table's paging parameters replaced."""
        query = self.query.copy()
        for key in ("export", "format"):
            query.pop(key, None)
        for key in ("page", "after", "before", "start"):
            query.pop(self.name(key), None)
        for key, value in values.items():
            query.pop(self.name(key), None)
            if value not in (None, ""):
                query[self.name(key)] = str(value)
        return "?" + query.urlencode()


def _number(params: _Params, key: str) -> int:
    raw = params.get(key)
    if raw == "":
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise PagingInvalid(params.name(key), f"must be a whole number from 1, not {raw[:20]!r}")
    return int(raw)


def _sort(params: _Params, keys: Iterable[str], default: str) -> tuple[str, bool]:
    """The asked sort key and whether it is reversed; unknown keys are a 400."""
    raw = params.get("sort") or default
    key, reverse = raw.removeprefix("-"), raw.startswith("-")
    if key not in keys:
        allowed = ", ".join(sorted(keys))
        raise PagingInvalid(params.name("sort"), f"{raw[:40]!r} is not a column ({allowed})")
    return key, reverse


def _sort_links(params: _Params, keys: Iterable[str], key: str, reverse: bool) -> dict:
    links = {}
    for k in keys:
        asked = f"-{k}" if k == key and not reverse else k
        links[k] = params.url(sort=asked)
    return links


def _sortable(value: Any) -> tuple:
    """A sort key for a cell of any type: empty cells last, text by its shown form."""
    if value is None or value == "":
        return (1, 0, "")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, 0, value)
    if isinstance(value, datetime):
        return (0, 1, value.timestamp())
    if isinstance(value, date):
        return (0, 1, value.toordinal())
    return (0, 2, str(value))


def rows_page(params: _Params, table: Table) -> Pager:
    """Sort the table's computed rows by the asked column and keep one page of them."""
    keys = [c.key for c in table.columns]
    key, reverse = _sort(params, keys, "") if params.get("sort") else ("", False)
    rows = list(table.rows)
    if key:
        rows.sort(key=lambda r: _sortable(r.get(key)), reverse=reverse)
    paginator = Paginator(rows, PAGE_SIZE)
    number = _number(params, "page")
    try:
        page = paginator.page(number)
    except InvalidPage:
        raise PagingInvalid(
            params.name("page"), f"there are {paginator.num_pages} pages, not {number}"
        ) from None
    table.rows = list(page.object_list)
    table.stream = lambda: iter(rows)
    return Pager(
        first=page.start_index(),
        last=page.end_index(),
        total=paginator.count,
        previous=params.url(page=page.previous_page_number()) if page.has_previous() else None,
        next=params.url(page=page.next_page_number()) if page.has_next() else None,
        first_page=params.url() if number > 2 else None,
        sort=("-" if reverse else "") + key,
        sort_links=_sort_links(params, keys, key, reverse),
        directions=_directions({key: ("",)} if key else {}, key, reverse),
    )


# Keyset paging ------------------------------------------------------------------


def _value(obj: Model, name: str) -> Any:
    for part in name.split("__"):
        obj = getattr(obj, part)
    return obj


def _encode(values: list) -> str:
    tagged = []
    for v in values:
        if isinstance(v, datetime):
            tagged.append({"t": v.isoformat()})
        elif isinstance(v, date):
            tagged.append({"d": v.isoformat()})
        elif isinstance(v, Decimal):
            tagged.append({"n": str(v)})
        else:
            tagged.append(v)
    raw = json.dumps(tagged, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(params: _Params, key: str, count: int) -> list | None:
    raw = params.get(key)
    if not raw:
        return None
    problem = "is not a position in this list (follow the page links)"
    try:
        tagged = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        values = []
        for v in tagged:
            if isinstance(v, dict) and "t" in v:
                values.append(datetime.fromisoformat(v["t"]))
            elif isinstance(v, dict) and "d" in v:
                values.append(date.fromisoformat(v["d"]))
            elif isinstance(v, dict) and "n" in v:
                values.append(Decimal(v["n"]))
            elif isinstance(v, (str, int, float, bool)):
                values.append(v)
            else:
                raise ValueError(v)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise PagingInvalid(params.name(key), problem) from None
    if len(values) != count:
        raise PagingInvalid(params.name(key), problem)
    return values


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _after(order: list[str], values: list) -> Q:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or ..."""
    found = Q(pk__in=[])
    for i, name in enumerate(order):
        column = name.removeprefix("-")
        step = Q(**{f"{column}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{order[j].removeprefix("-"): values[j]})
        found |= step
    return found


def _directions(sorts: dict, key: str, reverse: bool) -> dict[str, str]:
    """aria-sort of the sorted column, read from its first field's direction."""
    if not key:
        return {}
    first = sorts[key][0] if sorts[key] else ""
    descending = first.startswith("-") != reverse
    return {key: "descending" if descending else "ascending"}


def listing_order(listing: Listing, key: str, reverse: bool) -> list[str]:
    natural = list(listing.sorts[key])
    if natural[-1].removeprefix("-") != "pk":  # the primary key breaks ties: a total order
        natural.append("-pk" if natural[0].startswith("-") else "pk")
    return [_flip(n) for n in natural] if reverse else natural


def listing_stream(listing: Listing, order: list[str]) -> Iterator[dict]:
    """Every row of the listing in `order`, CHUNK model rows per query (keyset again)."""
    cursor: list | None = None
    while True:
        rows = listing.queryset.order_by(*order)
        if cursor is not None:
            rows = rows.filter(_after(order, cursor))
        chunk = list(rows[:CHUNK])
        yield from listing.rows(chunk)
        if len(chunk) < CHUNK:
            return
        cursor = [_value(chunk[-1], n.removeprefix("-")) for n in order]


def listing_page(params: _Params, table: ListTable, listing: Listing) -> Pager:
    key, reverse = _sort(params, listing.sorts, listing.default)
    order = listing_order(listing, key, reverse)
    after = _decode(params, "after", len(order))
    before = _decode(params, "before", len(order))
    start = _number(params, "start")
    rows = listing.queryset.order_by(*order)
    if before is not None:
        backwards = [_flip(n) for n in order]
        found = list(rows.order_by(*backwards).filter(_after(backwards, before))[: PAGE_SIZE + 1])
        more_before, page = len(found) > PAGE_SIZE, found[:PAGE_SIZE][::-1]
        more_after = True
        start = max(1, start - PAGE_SIZE) if more_before else 1
    elif after is not None:
        found = list(rows.filter(_after(order, after))[: PAGE_SIZE + 1])
        more_before, more_after, page = True, len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    else:
        # `?page=N` typed or bookmarked: an offset, once; the links from it are keyset.
        skip = (_number(params, "page") - 1) * PAGE_SIZE
        found = list(rows[skip : skip + PAGE_SIZE + 1])
        more_before, more_after, page = skip > 0, len(found) > PAGE_SIZE, found[:PAGE_SIZE]
        start = skip + 1
    total = listing.queryset.count()
    table.rows = listing.rows(page)
    table.stream = lambda: listing_stream(listing, order)
    sort = ("-" if reverse else "") + key

    def cursor(obj: Model) -> str:
        return _encode([_value(obj, n.removeprefix("-")) for n in order])

    return Pager(
        first=start if page else 0,
        last=start + len(page) - 1 if page else 0,
        total=total,
        previous=params.url(before=cursor(page[0]), start=start) if more_before and page else None,
        next=params.url(after=cursor(page[-1]), start=start + len(page))
        if more_after and page
        else None,
        first_page=params.url() if more_before and start > PAGE_SIZE + 1 else None,
        sort=sort,
        sort_links=_sort_links(params, listing.sorts, key, reverse),
        directions=_directions(listing.sorts, key, reverse),
    )


def table_page(query: QueryDict, table: Table, *, primary: bool) -> None:
    """Replace the table's rows with the asked page; attach its pager and full stream."""
    params = _Params(query, table.id, primary)
    listing = getattr(table, "listing", None)
    table.pager = listing_page(params, table, listing) if listing else rows_page(params, table)
