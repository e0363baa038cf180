from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from reetrace.api import api


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health", health),
]
