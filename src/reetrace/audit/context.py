"""Where an action comes from: the request being served (kept for the signal
handlers that record account changes, which get no request), or the command line."""

from __future__ import annotations

import getpass
from contextvars import ContextVar
from dataclasses import dataclass

from reetrace.accounts.permissions import UserRole
from reetrace.accounts.throttle import client_address

_request: ContextVar = ContextVar("audit_request", default=None)

# The office a government user works for, as shown to the enterprise whose data it read.
OFFICES = {
    UserRole.REGULATOR: "rare-earth regulator",
    UserRole.LICENSING_OFFICER: "export licensing office",
    UserRole.CUSTOMS_OFFICER: "customs",
    UserRole.AUDITOR: "audit office",
    UserRole.ADMIN: "system administration",
}


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@dataclass(frozen=True)
class Origin:
    actor: str
    actor_role: str
    office: str
    address: str
    via: str


def origin(user=None, request=None) -> Origin:
    """Who acts (the given user, else the request's) and how they reached the system."""
    request = request if request is not None else _request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if request is None:
        actor = user.username if signed_in else f"cli:{getpass.getuser()}"
        return Origin(
            actor, getattr(user, "role", ""), OFFICES.get(getattr(user, "role", ""), ""), "", "cli"
        )
    prefix = getattr(request, "api_token_prefix", "")
    via = f"token {prefix}" if prefix else ("session" if signed_in else "anonymous")
    role = user.role if signed_in else ""
    return Origin(
        user.username if signed_in else "anonymous",
        role,
        OFFICES.get(role, ""),
        client_address(request),
        via,
    )
