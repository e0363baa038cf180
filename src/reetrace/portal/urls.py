"""Portal pages (server-rendered, one role-aware navigation).

Who may open each page is decided in the view (`portal_page`); the table in
tests/portal/test_access.py lists every URL below with every role.

The pages of the compliance, export-control and reconciliation apps live here too
(the portal owns every template), each under its own URL namespace so that the
navigation can name them `compliance:alerts`, `exportcontrol:desk` and so on; this
module therefore has no `app_name` of its own and includes the portal's pages under
the `portal` namespace.
"""

from __future__ import annotations

from django.urls import include, path

from reetrace.portal.views import (
    alerts,
    assets,
    audit,
    cases,
    enterprise,
    home,
    licences,
    licensing,
    lots,
    national,
    partner,
    reconcile,
    refused,
    registry,
    reporting,
    upload,
    vetting,
)

portal_patterns = [
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
    path("report/suggest/<str:name>", reporting.suggest, name="suggest"),
    path("report/<str:kind>/", reporting.report_event, name="report-event"),
    # lots and tracing (scoped per actor)
    path("lots/<str:code>/", lots.lot_detail, name="lot"),
    path("trace/", lots.trace, name="trace"),
    # national roles and partners
    path("national/", national.overview, name="national"),
    path("enterprises/", registry.enterprises, name="enterprises"),
    path("enterprises/<str:identifier>/", registry.enterprise_detail, name="enterprise"),
    path("exports/", partner.exports, name="exports"),
    # the audit journal (auditor) and the enterprise's view of government reads
    path("audit/", audit.journal, name="audit"),
    path("government-reads/", audit.government_reads, name="government-reads"),
]

compliance_patterns = [
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/<str:action>", alerts.alert_action, name="alert-action"),
    path("runs/", alerts.run_start, name="run-start"),
    path("runs/<int:run_id>/", alerts.run_detail, name="run"),
    path("runs/<int:run_id>/progress", alerts.run_progress, name="run-progress"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/open", cases.case_open_view, name="case-open"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/files/<int:file_id>", cases.case_file, name="case-file"),
    path("cases/<int:case_id>/<str:action>", cases.case_action, name="case-action"),
    path("risk/", cases.risk, name="risk"),
]

exportcontrol_patterns = [
    path("", licences.application_list, name="applications"),
    path("new/", licences.application_new, name="application-new"),
    path("desk/", licensing.desk, name="desk"),
    path("statistics/", licensing.statistics, name="statistics"),
    path("vetting/", vetting.vetting_list, name="vetting"),
    path("vetting/vet", vetting.vet, name="vet"),
    path("vetting/revoke", vetting.revoke, name="vetting-revoke"),
    path("refused/", refused.refused_exports, name="refused"),
    path("<str:number>/", licences.application_detail, name="application"),
    path("<str:number>/documents", licences.document_upload, name="document-upload"),
    path("<str:number>/documents/<int:document_id>", licences.document_file, name="document"),
    path("<str:number>/act", licences.application_act, name="application-act"),
    path("<str:number>/decide", licensing.decide, name="decide"),
]

reconciliation_patterns = [
    path("", reconcile.datasets, name="datasets"),
    path("load", reconcile.dataset_load_view, name="dataset-load"),
    path("submissions/", reconcile.submissions, name="submissions"),
    path("submissions/upload", reconcile.submission_upload_view, name="submission-upload"),
    path("<int:dataset_id>/", reconcile.comparison, name="comparison"),
    path(
        "<int:dataset_id>/cells/<str:product>/<str:country>/<str:month>/",
        reconcile.cell,
        name="cell",
    ),
    path(
        "<int:dataset_id>/cells/<str:product>/<str:country>/<str:month>/case",
        reconcile.cell_case,
        name="cell-case",
    ),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("compliance/", include((compliance_patterns, "compliance"))),
    path("licences/", include((exportcontrol_patterns, "exportcontrol"))),
    path("reconciliation/", include((reconciliation_patterns, "reconciliation"))),
]
