from django.apps import AppConfig


class ExportControlConfig(AppConfig):
    name = "reetrace.exportcontrol"
    label = "exportcontrol"
    verbose_name = "Export control"

    def ready(self) -> None:
        """Plug the licence check into the ledger's export capture, once per process.

        The control list is loaded here too, so a malformed data file stops the
        process at start-up instead of letting a controlled export through later.
        """
        from reetrace.exportcontrol.control_list import control_list
        from reetrace.exportcontrol.drawdown import export_guard, refused_exports_record
        from reetrace.ledger import capture

        control_list()
        if export_guard not in capture.EXPORT_GUARDS:
            capture.EXPORT_GUARDS.append(export_guard)
        if refused_exports_record not in capture.REJECTION_LISTENERS:
            capture.REJECTION_LISTENERS.append(refused_exports_record)
