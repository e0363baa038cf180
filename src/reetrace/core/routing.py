"""Reads on a PostgreSQL streaming replica: which reads go there, and which never do.

With `REETRACE_REPLICA_URL` set, settings add a `replica` database and this
router. A read goes to the replica only when all of these hold:

- it runs inside `replica_reads()` (a decorator or context manager on the
  regulator's heavy reads: the national overview, registers, statistics,
  genealogy); every other read stays on the primary;
- it is not inside a transaction on the primary (a capture reads its state and
  locks rows inside one, so every read of a capture is on the primary);
- the request is not pinned to the primary. A successful non-safe request
  (POST, PUT, PATCH, DELETE) pins its client for `REETRACE_REPLICA_PIN_SECONDS`
  (default 10): the response sets a signed cookie `reetrace_primary` holding
  the time the pin ends, so the page after a capture reads what was captured
  whatever the replica's lag. An API client that must read its own write
  without cookies sends `X-Reetrace-Primary: 1`.

Every write goes to the primary; migrations run on the primary only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "reetrace_primary"
PIN_HEADER = "HTTP_X_REETRACE_PRIMARY"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_heavy: ContextVar[bool] = ContextVar("reetrace_replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("reetrace_primary_pinned", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads_context() -> Iterator[None]:
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def replica_reads(view):
    """Mark a view's reads as heavy regulator reads that a replica may serve."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads_context():
            return view(*args, **kwargs)

    return wrapper


@contextmanager
def primary_pinned() -> Iterator[None]:
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    """Django database router: heavy reads to the replica when allowed, all else primary."""

    def db_for_read(self, model, **hints):
        if not (_heavy.get() and replica_configured()) or _pinned.get():
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaPinMiddleware:
    """Pin a client's reads to the primary for a few seconds after each write it made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        with primary_pinned() if _is_pinned(request) else _nothing():
            response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            until = time.time() + settings.REETRACE_REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                f"{until:.3f}",
                salt=PIN_COOKIE,
                max_age=settings.REETRACE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _is_pinned(request) -> bool:
    if request.META.get(PIN_HEADER) == "1":
        return True
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_COOKIE))
    except (KeyError, signing.BadSignature, ValueError):
        return False
    return until > time.time()
