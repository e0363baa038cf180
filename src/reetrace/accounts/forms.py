"""Sign-in forms that count failures and refuse while throttled (`accounts/throttle.py`):
the portal's and the admin site's."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from reetrace.accounts.throttle import (
    client_address,
    signin_failed,
    signin_refusal,
    signin_succeeded,
)
from reetrace.audit.choices import AuditAction
from reetrace.audit.journal import audit_record


class ThrottledSignIn:
    """Refuse before any password check while throttled; count each failure."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        refusal = signin_refusal(username, address)
        if refusal:
            audit_record(
                AuditAction.SIGN_IN_FAILED,
                "user",
                username,
                fields={"username": username[:150], "throttled": True},
                reason=refusal,
                request=self.request,
            )
            raise ValidationError(refusal, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failed(username, address)
            raise
        signin_succeeded(username)
        return cleaned


class ThrottledSignInForm(ThrottledSignIn, AuthenticationForm):
    pass


class ThrottledAdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass
