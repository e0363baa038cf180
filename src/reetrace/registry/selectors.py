"""Reads of the registry for the API and pages.

The registry of parties (identifiers, names, roles, sites) is visible to every role
that may read it at all: an enterprise needs it to name its customers. Quotas are
read only by roles that carry registry:quota:read, and are not scoped further.
"""

from __future__ import annotations

from django.db.models import QuerySet

from reetrace.core.errors import NotFound
from reetrace.registry.models import Enterprise, Quota

MAX_PAGE = 1000


def enterprises_page(*, role: str | None = None, limit: int = 200, offset: int = 0):
    rows = Enterprise.objects.select_related("group").prefetch_related("roles", "sites")
    if role:
        rows = rows.filter(roles__role=role)
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    return rows.order_by("identifier")[offset : offset + limit]


def enterprise_get(identifier: str) -> Enterprise:
    enterprise = (
        Enterprise.objects.select_related("group")
        .prefetch_related("roles", "sites")
        .filter(identifier=identifier)
        .first()
    )
    if enterprise is None:
        raise NotFound("enterprise", identifier)
    return enterprise


def quotas_of_year(year: int | None = None) -> QuerySet[Quota]:
    rows = Quota.objects.select_related("enterprise")
    if year:
        rows = rows.filter(year=year)
    return rows.order_by("year", "code")
