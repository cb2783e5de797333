"""Reads for the schedule resources of the API: tasks, links, calendars and baselines a user
may see, each with what its representation shows joined or prefetched, so that a page of
rows costs the same few queries whatever its length."""

from django.db.models import Count

from ..models import Baseline, BaselineTask, Calendar, Dependency, Project, Task


def task_list(*, user):
    return Task.objects.visible_to(user).select_related("project")


def dependency_list(*, user):
    """Links whose successor `user` can see (the predecessor may sit in a sibling project)."""
    return Dependency.objects.visible_to(user).select_related("predecessor__project", "successor__project")


def calendar_list(*, user):
    """Shared calendars and those of the projects `user` can see, with their exceptions."""
    return (
        Calendar.objects.visible_to(user)
        .select_related("project", "base_calendar")
        .prefetch_related("exceptions")
        .order_by("name", "pk")
    )


def baseline_list(*, user):
    """Baselines of the projects `user` can see, with how many tasks each holds."""
    projects = Project.objects.visible_to(user).values("pk")
    return (
        Baseline.objects.filter(project__in=projects)
        .select_related("project", "created_by")
        .annotate(task_count=Count("tasks"))
        .order_by("project__code", "number")
    )


def baseline_task_list(*, user):
    """Each task's values in the baselines of the projects `user` can see, beside the task's
    current dates."""
    projects = Project.objects.visible_to(user).values("pk")
    return (
        BaselineTask.objects.filter(baseline__project__in=projects)
        .select_related("baseline", "task")
        .order_by("baseline_id", "task__sort_order", "task_id")
    )


def critical_tasks(*, project: Project):
    """The project's critical tasks (summaries left out) in the order work runs through them:
    by early start, then early finish."""
    return (
        Task.objects.filter(project=project, is_critical=True, is_summary=False)
        .select_related("project")
        .order_by("early_start", "early_finish", "sort_order", "pk")
    )
