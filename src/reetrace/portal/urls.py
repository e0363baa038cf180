"""Portal pages (server-rendered, one role-aware navigation).

Who may open each page is decided in the view (`portal_page`); the table in
tests/portal/test_access.py lists every URL below with every role.
"""

from __future__ import annotations

from django.urls import path

from reetrace.portal.views import (
    assets,
    enterprise,
    home,
    lots,
    national,
    partner,
    registry,
    reporting,
    upload,
)

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", home.LoginView.as_view(), name="login"),
    path("logout/", home.LogoutView.as_view(), name="logout"),
    path("assets/plotly-<str:release>.min.js", assets.plotly_js, name="plotly"),
    # enterprise users
    path("dashboard/", enterprise.dashboard, name="dashboard"),
    path("lots/", enterprise.lots, name="lots"),
    path("report/", reporting.report_index, name="report"),
    path("report/close/", reporting.close_month, name="close"),
    path("report/file/", upload.upload, name="upload"),
    path(
        "report/file/templates/<str:kind>.<str:fmt>",
        upload.upload_template,
        name="upload-template",
    ),
    path("report/file/<str:upload_id>/", upload.upload_detail, name="upload-detail"),
    path("report/file/<str:upload_id>/check", upload.upload_check_view, name="upload-check"),
    path("report/file/<str:upload_id>/commit", upload.upload_commit_view, name="upload-commit"),
    path("report/file/<str:upload_id>/progress", upload.upload_progress, name="upload-progress"),
    path("report/<str:kind>/", reporting.report_event, name="report-event"),
    # lots and tracing (scoped per actor)
    path("lots/<str:code>/", lots.lot_detail, name="lot"),
    path("trace/", lots.trace, name="trace"),
    # national roles and partners
    path("national/", national.overview, name="national"),
    path("enterprises/", registry.enterprises, name="enterprises"),
    path("enterprises/<str:identifier>/", registry.enterprise_detail, name="enterprise"),
    path("exports/", partner.exports, name="exports"),
]
