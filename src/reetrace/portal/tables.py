"""Tables on a page: a link per cell, and the page answering a table download.

A view builds `core.tables.Table`s once; each is paged and sorted on the server
(`paging.py`) and the template renders one page of it. The same rows, the whole
filtered list in the order on screen, are written to a file when the URL carries
`?export=<table id>&format=csv|xlsx` (headers carry the units).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from reetrace.core.tables import FORMATS, Table, table_file
from reetrace.portal.paging import PagingInvalid, table_page

__all__ = ["export_or_render", "link_to"]


def link_to(view_name: str, key: str) -> Callable[[dict], str]:
    """A column's link: the page `view_name` of the row's `key` (none when it is empty)."""

    def link(row: dict) -> str:
        return reverse(view_name, args=[row[key]]) if row[key] else ""

    return link


def export_or_render(
    request: HttpRequest, template: str, context: dict, tables: list[Table], status: int = 200
) -> HttpResponse:
    """Answer a table download when asked for one, otherwise render the page.

    A page shown again with a form error (`status` 400) is never a download: its
    tables are rendered so the download links on it still work.
    """
    wanted, fmt = request.GET.get("export"), request.GET.get("format")
    try:
        for i, table in enumerate(tables):
            table_page(request.GET, table, primary=i == 0)
    except PagingInvalid as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    if status == 200 and wanted and fmt in FORMATS:
        for table in tables:
            if table.id == wanted:
                return table_file(table, fmt)
    context = {**context, "tables": {t.id: t for t in tables}}
    return render(request, template, context, status=status)
