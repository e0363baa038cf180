from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "reetrace.compliance"
    label = "compliance"
    verbose_name = "Compliance analytics"
