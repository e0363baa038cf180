from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "reetrace.core"
    label = "core"
