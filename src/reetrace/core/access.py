"""The one access choke point: who may call an operation, and whose rows it shows.

Two questions, each answered in one place from the role tables in
`accounts/permissions.py` (code never compares role names):

- May the caller run this operation? `requires(permission)` on every API operation
  (pages: `portal.access.portal_page`), by `actor.has_permission`.
- Which rows may it see, and for whom may it act? `actor.scope` (a `Scope`), read by
  `visible_to(actor, rows, own=..., country=...)` for every scoped queryset and by
  the `Scope` methods for single decisions.

Successful reads are announced to `ACCESS_RECORDERS` (the audit journal plugs in
there to record government reads of confidential data).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import Combinable
from django.http import HttpRequest
from ninja.utils import contribute_operation_callback

from reetrace.core.errors import Forbidden
from reetrace.core.permissions import Permission, Reach
from reetrace.core.plugins import PlugPoint
from reetrace.core.schemas import ErrorOut

__all__ = [
    "ACCESS_RECORDERS",
    "Actor",
    "Scope",
    "access_record",
    "own_enterprise_only",
    "requires",
    "visible_to",
]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """Whose rows an actor reads and for whom it acts (`accounts.models.User.scope`)."""

    reach: frozenset[Reach] = frozenset()
    enterprise_id: int | None = None  # its own enterprise, when its role reaches it
    partner_country: str = ""  # upper case, when its role reaches one

    @property
    def every_enterprise(self) -> bool:
        return Reach.EVERY_ENTERPRISE in self.reach

    @property
    def sees_enterprises(self) -> bool:
        """Reads enterprise-level rows at all: every enterprise's, or its own."""
        return self.every_enterprise or self.enterprise_id is not None

    @property
    def partner(self) -> bool:
        """A partner analyst: aggregates, and the applications for its country."""
        return Reach.PARTNER_COUNTRY in self.reach

    @property
    def acts_for_anyone(self) -> bool:
        return Reach.ACT_FOR_ANYONE in self.reach

    def sees(self, enterprise_id: int | None) -> bool:
        """May read this enterprise's rows."""
        return self.every_enterprise or self._own(enterprise_id)

    def acts_for(self, enterprise_id: int | None) -> bool:
        """May report, close or apply for this enterprise."""
        return self.acts_for_anyone or self._own(enterprise_id)

    def _own(self, enterprise_id: int | None) -> bool:
        return self.enterprise_id is not None and enterprise_id == self.enterprise_id


class Actor(Protocol):
    """Who acts: a user (`accounts.models.User`), as access sees it."""

    @property
    def scope(self) -> Scope: ...

    def has_permission(self, permission: Permission) -> bool: ...


def visible_to(
    actor: Actor,
    rows: QuerySet[M],
    *,
    own: Callable[[int], Q | Combinable] | None = None,
    country: Callable[[str], Q | Combinable] | None = None,
) -> QuerySet[M]:
    """The rows the actor may read: all of them for roles that see every enterprise;
    for an enterprise user those `own(its enterprise pk)` selects; for a partner
    analyst those `country(its country)` selects; otherwise none."""
    scope = actor.scope
    if scope.every_enterprise:
        return rows
    if own is not None and scope.enterprise_id is not None:
        return rows.filter(own(scope.enterprise_id))
    if country is not None and scope.partner_country:
        return rows.filter(country(scope.partner_country))
    return rows.none()


def own_enterprise_only(actor: Actor, what: str) -> int | None:
    """None for roles that see every enterprise (no narrowing), the enterprise pk for an
    enterprise user; anyone else is refused: `what` is for those two."""
    scope = actor.scope
    if not scope.sees_enterprises:
        raise Forbidden(f"{what} is for national roles and enterprise users")
    return None if scope.every_enterprise else scope.enterprise_id


# Called after an operation or page guarded by permissions answered, with the request,
# the permissions it required, its keyword arguments and the status it answered.
AccessRecorder = Callable[[HttpRequest, Iterable[Permission], dict, int], None]
ACCESS_RECORDERS: PlugPoint[AccessRecorder] = PlugPoint(
    "access recorders", caller="core.access.requires, portal.access.portal_page"
)


def access_record(
    request: HttpRequest, permissions: Iterable[Permission], kwargs: dict, status: int
) -> None:
    """Tell every recorder what a guarded operation or page answered."""
    for recorder in ACCESS_RECORDERS:
        recorder.call(request, permissions, kwargs, status)


def _document_denials(permission: Permission):
    """An operation callback: document 401/403 and the permission in the OpenAPI schema."""

    def contribute(operation) -> None:
        for status in (401, 403):
            if status not in operation.response_models:
                operation.response_models[status] = operation._create_response_model(ErrorOut)
        operation.response_models = dict(
            sorted(operation.response_models.items(), key=lambda kv: _status_key(kv[0]))
        )
        extra = dict(operation.openapi_extra or {})
        extra["x-permission"] = str(permission)
        operation.openapi_extra = extra

    return contribute


def _status_of(result: Any) -> int:
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0]
    return getattr(result, "status_code", getattr(result, "status", 200))


def _status_key(status: Any) -> tuple[int, int]:
    return (1, 0) if not isinstance(status, int) else (0, status)


def requires(permission: Permission):
    """Refuse the operation with 403 unless the caller's role carries `permission`.

    The operation's OpenAPI entry then lists 401 and 403 and names the permission
    (``x-permission``), so the published schema says who may call what.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args: Any, **kwargs: Any):
            if not request.auth.has_permission(permission):
                raise Forbidden(f"your role does not allow {permission}")
            result = view(request, *args, **kwargs)
            access_record(request, [permission], kwargs, _status_of(result))
            return result

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        # Ninja resolves string annotations (``from __future__ import annotations``)
        # against the callable's ``__globals__``, which for this wrapper are this
        # module's, where names such as ``TokenIn`` or ``Query`` do not exist: the
        # body would silently become an unresolvable query parameter. Hand Ninja the
        # signature already evaluated in the view's own module.
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        contribute_operation_callback(wrapper, _document_denials(permission))
        return wrapper

    return decorate
