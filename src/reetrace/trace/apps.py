from django.apps import AppConfig


class TraceConfig(AppConfig):
    name = "reetrace.trace"
    label = "trace"
    verbose_name = "Traceability"
