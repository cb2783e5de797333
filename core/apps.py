from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Keel core"

    def ready(self) -> None:
        # Every Celery task run is recorded in TaskRun (queued, started, finished, error).
        from . import taskruns

        taskruns.connect()
