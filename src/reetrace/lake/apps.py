from django.apps import AppConfig


class LakeConfig(AppConfig):
    name = "reetrace.lake"
    label = "lake"
    verbose_name = "Data lake"
