from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "reetrace.portal"
    label = "portal"
    verbose_name = "Portal"
