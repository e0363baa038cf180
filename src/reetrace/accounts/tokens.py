"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import ApiToken, User
from reetrace.core.errors import ErrorCode, NotFound, ReetraceError

TOKEN_PREFIX = "rt_"
DEFAULT_LIFETIME = timedelta(days=90)


# How fresh "last used" is kept. Writing it on every request would make every read a
# write: one row lock that all clients of a token queue on (PostgreSQL), the database's
# single write lock behind every batch being captured (SQLite).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *, user: User, name: str, lifetime: timedelta = DEFAULT_LIFETIME
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown only this once."""
    if lifetime <= timedelta(0) or lifetime > timedelta(days=366):
        raise ReetraceError(
            ErrorCode.INVALID, "token lifetime must be between 1 day and 366 days", field="days"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        digest=_digest(raw),
        expires_at=timezone.now() + lifetime,
    )
    return token, raw


def token_authenticate(raw: str) -> User | None:
    """The user behind a usable token, or None (unknown, expired or revoked)."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.is_usable():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (admins may revoke anyone's)."""
    tokens = ApiToken.objects.all() if user.scope.acts_for_anyone else user.api_tokens.all()
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound("token", str(token_id))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
