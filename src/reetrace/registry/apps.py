from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "reetrace.registry"
    label = "registry"
    verbose_name = "Registry"
