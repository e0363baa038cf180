from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reetrace.reporting"
    label = "reporting"
    verbose_name = "Monthly reporting"
