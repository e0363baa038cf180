from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "reetrace.reconciliation"
    label = "reconciliation"
    verbose_name = "Trade reconciliation"
