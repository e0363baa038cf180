"""How the API knows who is calling: bearer tokens for machines, sessions for the web.

The session path goes through Ninja's APIKeyCookie so that CSRF stays enforced.
"""

from __future__ import annotations

import inspect
from functools import wraps
from typing import Any

from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import contribute_operation_callback

from reetrace.accounts.permissions import Permission
from reetrace.accounts.tokens import token_authenticate
from reetrace.audit.reads import government_read_record
from reetrace.core.errors import Forbidden
from reetrace.core.schemas import ErrorOut


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            request.api_token_prefix = token[:10]
        return user


class SessionCookie(APIKeyCookie):
    param_name = "sessionid"

    def _get_key(self, request):
        """CSRF is checked only for a request that carries a session: one with no
        session cannot be forged and is answered 401, not 403 "CSRF check failed"."""
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


API_AUTH = [BearerToken(), SessionCookie()]


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
            government_read_record(request, [permission], kwargs, _status_of(result))
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
