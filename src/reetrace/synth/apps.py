from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "reetrace.synth"
    label = "synth"
    verbose_name = "Synthetic national chain"
