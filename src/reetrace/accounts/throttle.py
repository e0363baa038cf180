"""Sign-in throttling: after too many failed sign-ins for one user name, or from one
address, within the window, further attempts are refused (with the wait) before the
password is even checked. Failures are rows in the database, so every server
process counts the same ones; a success clears the user name's failures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from reetrace.accounts.models import SignInFailure
from reetrace.core.plugins import PlugPoint

# Told of each sign-in refused while throttled (request, user name, why), before any
# password check; the audit journal records them as failed sign-ins.
SigninRefused = Callable[[HttpRequest | None, str, str], None]
SIGNIN_REFUSALS: PlugPoint[SigninRefused] = PlugPoint(
    "sign-in refusals", caller="accounts.forms.ThrottledSignIn.clean"
)


def client_address(request) -> str:
    """The caller's address; behind the TLS proxy, its forwarded address."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.REETRACE_SIGNIN_WINDOW_SECONDS)


def signin_refusal(username: str, address: str) -> str | None:
    """Why a sign-in may not be tried now, or None."""
    recent = SignInFailure.objects.filter(at__gte=_window_start())
    minutes = settings.REETRACE_SIGNIN_WINDOW_SECONDS // 60
    if recent.filter(username=username).count() >= settings.REETRACE_SIGNIN_MAX_FAILURES_PER_USER:
        return f"too many failed sign-ins for this user name; try again in {minutes} minutes"
    per_address = settings.REETRACE_SIGNIN_MAX_FAILURES_PER_ADDRESS
    if recent.filter(address=address).count() >= per_address:
        return f"too many failed sign-ins from this address; try again in {minutes} minutes"
    return None


def signin_failed(username: str, address: str) -> None:
    SignInFailure.objects.create(username=username[:150], address=address)


def signin_succeeded(username: str) -> None:
    SignInFailure.objects.filter(username=username).delete()
