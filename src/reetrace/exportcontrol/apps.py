from django.apps import AppConfig


class ExportControlConfig(AppConfig):
    name = "reetrace.exportcontrol"
    label = "exportcontrol"
    verbose_name = "Export control"

    def ready(self) -> None:
        """Plug the licence check into the ledger's export capture (`ledger/capture/plugins.py`).

        The control list is loaded here too, so a malformed data file stops the
        process at start-up instead of letting a controlled export through later.
        """
        from reetrace.exportcontrol.control_list import control_list
        from reetrace.exportcontrol.drawdown import export_guard, refused_exports_record
        from reetrace.ledger.capture.plugins import EXPORT_GUARDS, REJECTION_LISTENERS

        control_list()
        EXPORT_GUARDS.plug("exportcontrol.licence", export_guard)
        REJECTION_LISTENERS.plug("exportcontrol.refused_exports", refused_exports_record)
