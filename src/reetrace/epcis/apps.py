from django.apps import AppConfig


class EpcisConfig(AppConfig):
    name = "reetrace.epcis"
    label = "epcis"
    verbose_name = "GS1 EPCIS 2.0"
