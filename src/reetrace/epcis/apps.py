from django.apps import AppConfig


class EpcisConfig(AppConfig):
    name = "reetrace.epcis"
    label = "epcis"
    verbose_name = "GS1 EPCIS 2.0"

    def ready(self) -> None:
        from reetrace.epcis.views import label_digital_link
        from reetrace.trace.plugins import LABEL_LINKS

        LABEL_LINKS.plug("epcis.digital_link", label_digital_link)

        from reetrace.epcis.subscriptions import captured_events_report
        from reetrace.ledger.capture.plugins import CAPTURE_LISTENERS

        CAPTURE_LISTENERS.plug("epcis.stream_subscriptions", captured_events_report)
