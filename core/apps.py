from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Keel core"

    def ready(self) -> None:
        # Every Celery task run is recorded in TaskRun (queued, started, finished, error).
        from . import lookups, taskruns

        taskruns.connect()
        # `field__in_array=<subquery>` for the access checks' id sets (core/lookups.py).
        lookups.register()
