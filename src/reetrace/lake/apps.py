from django.apps import AppConfig


class LakeConfig(AppConfig):
    name = "reetrace.lake"
    label = "lake"
    verbose_name = "Data lake"

    def ready(self) -> None:
        # Spark is imported only when a command asks for the engine (pyspark is optional).
        from reetrace.compliance.engines import engine_register
        from reetrace.lake.spark.engine import SPARK

        engine_register(SPARK)
