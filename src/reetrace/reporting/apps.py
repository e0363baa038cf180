from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reetrace.reporting"
    label = "reporting"
    verbose_name = "Monthly reporting"

    def ready(self) -> None:
        """Tell capture which months are closed (`ledger/capture/plugins.py`): events
        dated in them are refused unless they are corrections."""
        from reetrace.ledger.capture.plugins import CLOSED_MONTHS
        from reetrace.reporting.selectors import months_closed

        CLOSED_MONTHS.plug("reporting.closed_months", months_closed)
