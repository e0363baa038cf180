"""The front door: sign-in, sign-out, and each role's landing page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from reetrace.accounts.forms import ThrottledSignInForm
from reetrace.core.permissions import Permission as P
from reetrace.portal.access import portal_page


@portal_page()
def home(request: HttpRequest) -> HttpResponse:
    """Enterprise users land on their dashboard, national roles on the overview."""
    user = request.user
    if user.enterprise_id and user.has_permission(P.LEDGER_EVENT_CAPTURE):
        return redirect("portal:dashboard")
    if user.has_permission(P.TRACE_GENEALOGY_READ) and user.has_permission(
        P.TRACE_EXPORT_SUMMARY_READ
    ):
        return redirect("portal:national")
    if user.has_permission(P.TRACE_EXPORT_SUMMARY_READ):
        return redirect("portal:exports")
    return redirect("portal:trace")


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledSignInForm

    def get_default_redirect_url(self) -> str:
        return reverse("portal:home")


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        return reverse("portal:login")
