"""Sign-in forms that count failures and refuse while throttled (`accounts/throttle.py`):
the portal's and the admin site's."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from reetrace.accounts.throttle import (
    SIGNIN_REFUSALS,
    client_address,
    signin_failed,
    signin_refusal,
    signin_succeeded,
)


class ThrottledSignIn(AuthenticationForm):
    """Refuse before any password check while throttled; count each failure."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        refusal = signin_refusal(username, address)
        if refusal:
            for listener in SIGNIN_REFUSALS:
                listener.call(self.request, username, refusal)
            raise ValidationError(refusal, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failed(username, address)
            raise
        signin_succeeded(username)
        return cleaned


class ThrottledSignInForm(ThrottledSignIn):
    pass


class ThrottledAdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass
