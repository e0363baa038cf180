"""Who may open a portal page: one decorator that every view wears.

Pages check permissions server-side with `User.has_permission`, the same table the
API uses (`core.access.requires`), so hiding a link in the navigation is never the
only protection, and announce what they answered to the same recorders (the audit
journal's government reads). An anonymous visitor is sent to the portal's login
page; a signed-in user without the permission gets 403; pages that act for an
enterprise also need the user to be bound to one (administrators are not).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from reetrace.core.access import access_record
from reetrace.core.permissions import Permission

__all__ = ["portal_page"]

View = Callable[..., HttpResponse]


def portal_page(*permissions: Permission, enterprise: bool = False) -> Callable[[View], View]:
    """Require sign-in, every permission given, and (optionally) an enterprise binding."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("portal:login"))
            if not all(user.has_permission(p) for p in permissions):
                raise PermissionDenied
            if enterprise and user.enterprise_id is None:
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            access_record(request, permissions, kwargs, response.status_code)
            return response

        checked.portal_permissions = permissions  # type: ignore[attr-defined]
        return checked

    return decorate
