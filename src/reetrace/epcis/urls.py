"""The EPCIS 2.0 REST bindings, mounted at /epcis/ by the project's urls."""

from django.urls import path

from reetrace.epcis import views

urlpatterns = [
    path("", views.root, name="epcis-root"),
    path("capture", views.capture, name="epcis-capture"),
    path("capture/<uuid:capture_id>", views.capture_job, name="epcis-capture-job"),
    path("events", views.events, name="epcis-events"),
    path("events/<path:event_id>", views.event, name="epcis-event"),
    path("eventTypes", views.event_types, name="epcis-event-types"),
    path("epcs/<path:epc>/events", views.epc_events, name="epcis-epc-events"),
    path("queries", views.queries, name="epcis-queries"),
    path("queries/<str:name>", views.named_query, name="epcis-query"),
    path("queries/<str:name>/events", views.named_query_events, name="epcis-query-events"),
    path("queries/<str:name>/subscriptions", views.subscriptions, name="epcis-query-subscriptions"),
    path(
        "queries/<str:name>/subscriptions/<uuid:subscription_id>",
        views.subscription,
        name="epcis-query-subscription",
    ),
]
