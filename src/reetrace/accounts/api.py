"""Who am I, and my API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from ninja import Router, Schema, Status
from pydantic import Field

from reetrace.accounts.permissions import ROLE_PERMISSIONS
from reetrace.accounts.tokens import token_issue, token_revoke
from reetrace.core.access import requires
from reetrace.core.paging import RowId
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors

router = Router(tags=["accounts"])
ERRORS = errors(400, 401, 403, 404, 422)


class MeOut(Schema):
    username: str
    role: str
    enterprise: str | None
    permissions: list[str]


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=366)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret; shown only once")


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me")
def me(request):
    """The caller's identity, role and permissions."""
    user = request.auth
    return {
        "username": user.username,
        "role": user.role,
        "enterprise": user.enterprise.identifier if user.enterprise else None,
        "permissions": sorted(ROLE_PERMISSIONS.get(user.role, ())),
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, operation_id="tokens_list")
@requires(Permission.ACCOUNTS_TOKEN_MANAGE)
def tokens_list(request):
    return list(request.auth.api_tokens.order_by("-created_at"))


@router.post("/tokens", response={201: NewTokenOut, **ERRORS}, operation_id="tokens_issue")
@requires(Permission.ACCOUNTS_TOKEN_MANAGE)
def tokens_issue(request, body: TokenIn):
    """Issue a bearer token for the caller; store the secret, it is not shown again."""
    token, raw = token_issue(user=request.auth, name=body.name, lifetime=timedelta(days=body.days))
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, **ERRORS}, operation_id="tokens_revoke"
)
@requires(Permission.ACCOUNTS_TOKEN_MANAGE)
def tokens_revoke(request, token_id: RowId):
    return token_revoke(user=request.auth, token_id=token_id)
