from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Summary tables, their recompute tasks, and the pages and reads that combine domains.

    Sits above every domain app (config → demo → reporting → domains → core): it imports the
    domains, and none of them imports it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"

    def ready(self) -> None:
        # A write anywhere bumps an input version (core.changes); after commit the ids come here
        # and a recompute is enqueued (coalesced per object).
        from core import changes

        from .services import enqueue

        changes.listen("project", enqueue.projects_changed)
        changes.listen("program", enqueue.programs_changed)
        changes.listen("portfolio", enqueue.portfolios_changed)

        # The administrators' jobs page (core) offers the full recompute.
        from core import taskruns

        taskruns.register_action("reporting:recompute-all", "Recompute everything")
