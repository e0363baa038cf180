from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "reetrace.audit"
    label = "audit"
    verbose_name = "Audit journal"

    def ready(self) -> None:
        from reetrace.audit import signals

        signals.connect()
