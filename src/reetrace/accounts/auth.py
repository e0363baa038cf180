"""How the API knows who is calling: bearer tokens for machines, sessions for the web.

The session path goes through Ninja's APIKeyCookie so that CSRF stays enforced.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from ninja.security import APIKeyCookie, HttpBearer

from reetrace.accounts.permissions import Permission
from reetrace.accounts.tokens import token_authenticate
from reetrace.core.errors import Forbidden


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(APIKeyCookie):
    param_name = "sessionid"

    def authenticate(self, request, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


API_AUTH = [BearerToken(), SessionCookie()]


def requires(permission: Permission):
    """Refuse the operation with 403 unless the caller's role carries `permission`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args: Any, **kwargs: Any):
            if not request.auth.has_permission(permission):
                raise Forbidden(f"your role does not allow {permission}")
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate
