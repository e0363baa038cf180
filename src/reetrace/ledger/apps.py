from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "reetrace.ledger"
    label = "ledger"
    verbose_name = "Ledger"
