from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Keel core"

    def ready(self) -> None:
        # Every Celery task run is recorded in TaskRun (queued, started, finished, error).
        from . import lookups, taskruns

        taskruns.connect()
        # `field__in_array=<subquery>` for the access checks' id sets (core/lookups.py).
        lookups.register()


class KeelAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Keel's site (core.admin_site): audited, versioned rows are read-only
    there unless their ModelAdmin routes saves through the services."""

    default = False  # AdminConfig's True would compete with CoreConfig for the "core" entry
    default_site = "core.admin_site.KeelAdminSite"
