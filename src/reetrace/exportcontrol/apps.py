from django.apps import AppConfig


class ExportControlConfig(AppConfig):
    name = "reetrace.exportcontrol"
    label = "exportcontrol"
    verbose_name = "Export control"
