from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from reetrace.accounts.forms import ThrottledAdminSignInForm
from reetrace.api import api
from reetrace.epcis.views import digital_link_resolve
from reetrace.ledger.status import status_page
from reetrace.trace.views import lot_label, verify_page

admin.site.login_form = ThrottledAdminSignInForm


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("epcis/", include("reetrace.epcis.urls")),
    path("admin/status/", admin.site.admin_view(status_page), name="admin-status"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health", health),
    path("verify/<str:code>", verify_page, name="lot-verify"),
    path("lots/<str:code>/label", lot_label, name="lot-label"),
    path("01/<str:gtin>/10/<str:lot>", digital_link_resolve, name="digital-link"),
    path("", include("reetrace.portal.urls")),
]
