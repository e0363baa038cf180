from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "reetrace.audit"
    label = "audit"
    verbose_name = "Audit journal"

    def ready(self) -> None:
        """Listen where the journal's entries happen: the access choke point (government
        reads), the plug points of the apps below, and the history rows they write."""
        from reetrace.audit import signals
        from reetrace.audit.reads import government_read_record
        from reetrace.core.access import ACCESS_RECORDERS

        ACCESS_RECORDERS.plug("audit.government_reads", government_read_record)
        signals.connect()
