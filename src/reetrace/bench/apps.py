from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "reetrace.bench"
    label = "bench"
    verbose_name = "Benchmarks"
