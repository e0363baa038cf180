"""How the API knows who is calling: bearer tokens for machines, sessions for the web.

The session path goes through Ninja's APIKeyCookie so that CSRF stays enforced.
What the caller may then do is checked per operation by `core.access.requires`.
"""

from __future__ import annotations

from ninja.security import APIKeyCookie, HttpBearer

from reetrace.accounts.tokens import token_authenticate


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
