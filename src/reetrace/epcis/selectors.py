"""Reads behind the EPCIS views, scoped to the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from reetrace.accounts.models import User
from reetrace.epcis.models import CaptureJob, NamedQuery, Subscription
from reetrace.epcis.scheme import PRODUCTS_BY_GTIN
from reetrace.ledger.models import Lot

__all__ = [
    "capture_jobs_of",
    "lot_named_by_link",
    "named_queries",
    "named_query_get",
    "subscriptions_of",
]


def capture_jobs_of(user: User) -> QuerySet[CaptureJob]:
    """The capture jobs the user submitted, newest first: a job's errors quote its
    document, so no one else sees them."""
    return CaptureJob.objects.filter(submitted_by=user).order_by("-created_at")


def named_queries() -> QuerySet[NamedQuery]:
    """Saved queries are shared definitions; each runs with its runner's visibility."""
    return NamedQuery.objects.order_by("name")


def named_query_get(name: str) -> NamedQuery | None:
    return named_queries().filter(name=name).first()


def lot_named_by_link(gtin: str, code: str) -> bool:
    """Whether a Digital Link's GTIN and lot name a lot of that product. Public: the
    verification page it leads to says no more than this to anyone."""
    product = PRODUCTS_BY_GTIN.get(gtin)
    return product is not None and Lot.objects.filter(code=code, product__code=product).exists()


def subscriptions_of(user: User, query: NamedQuery) -> QuerySet[Subscription]:
    """A user's subscriptions on a query: each names its owner's callback and carries a
    secret, so no one else lists them."""
    return Subscription.objects.filter(owner=user, query=query).order_by("created_at")
