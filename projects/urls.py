from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    # The project list (reading the roll-ups) is in reporting/urls.py, in this namespace.
    path("projects/<str:code>/", views.project_detail, name="project-detail"),
    path("projects/<str:code>/edit/", views.project_edit, name="project-edit"),
    path("projects/<str:code>/status/new/", views.status_report_create, name="status-report-create"),
    path(
        "projects/<str:code>/status/<int:pk>/correct/",
        views.status_report_correct_view,
        name="status-report-correct",
    ),
    # The schedule: the page, its htmx fragment (chart and task table), and the writes.
    path("projects/<str:code>/schedule/", views.schedule_page, name="schedule"),
    path("projects/<str:code>/schedule/tasks/", views.schedule_fragment, name="schedule-fragment"),
    path("projects/<str:code>/schedule/branches/<int:pk>/", views.schedule_branch, name="schedule-branch"),
    path("projects/<str:code>/schedule/settings/", views.schedule_settings, name="schedule-settings"),
    path("projects/<str:code>/schedule/tasks/new/", views.task_add, name="schedule-task-add"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/", views.task_save, name="schedule-task"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/delete/", views.task_remove, name="schedule-task-delete"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/indent/", views.task_indent, name="schedule-task-indent"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/outdent/", views.task_outdent, name="schedule-task-outdent"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/predecessors/", views.link_add, name="schedule-link-add"),
    path("projects/<str:code>/schedule/links/<int:pk>/delete/", views.link_remove, name="schedule-link-delete"),
    # The Gantt's edits (views/schedule_edit.py).
    path("projects/<str:code>/schedule/tasks/<int:pk>/insert/", views.task_insert_view, name="schedule-task-insert"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/move/", views.task_move_view, name="schedule-task-move"),
    path("projects/<str:code>/schedule/tasks/<int:pk>/drag/", views.task_drag_view, name="schedule-task-drag"),
    path("projects/<str:code>/schedule/tasks/indent/", views.tasks_indent_view, name="schedule-tasks-indent"),
    path("projects/<str:code>/schedule/tasks/outdent/", views.tasks_outdent_view, name="schedule-tasks-outdent"),
    path("projects/<str:code>/schedule/links/<int:pk>/", views.link_save, name="schedule-link-save"),
    path("projects/<str:code>/schedule/links/<int:pk>/edit/", views.link_edit_form, name="schedule-link-edit"),
    path("projects/<str:code>/schedule/undo/", views.undo_view, name="schedule-undo"),
    path("projects/<str:code>/schedule/baselines/", views.baseline_save, name="schedule-baseline"),
    path(
        "projects/<str:code>/schedule/baselines/<int:number>/overwrite/",
        views.baseline_overwrite,
        name="baseline-overwrite",
    ),
    # Import: upload -> preview -> confirm.
    path("projects/<str:code>/schedule/import/", views.schedule_upload, name="schedule-import"),
    path(
        "projects/<str:code>/schedule/import/<int:pk>/",
        views.schedule_import_preview,
        name="schedule-import-preview",
    ),
    path(
        "projects/<str:code>/schedule/import/<int:pk>/confirm/",
        views.schedule_import_confirm_view,
        name="schedule-import-confirm",
    ),
    path("projects/<str:code>/schedule/export.xml", views.schedule_export, name="schedule-export"),
    # Risk analysis inputs (duration ranges, correlation groups; cost ranges are budgets'). By pk:
    # the risk-analysis pages link here with reverse("projects:uncertainty", args=[project.pk]).
    path("projects/<int:pk>/risk-inputs/", views.uncertainty.uncertainty_page, name="uncertainty"),
    path("projects/<int:pk>/risk-inputs/ranges/", views.uncertainty.range_add, name="uncertainty-range-add"),
    path("projects/<int:pk>/risk-inputs/ranges/<int:item>/", views.uncertainty.range_save, name="uncertainty-range"),
    path(
        "projects/<int:pk>/risk-inputs/ranges/<int:item>/delete/",
        views.uncertainty.range_remove,
        name="uncertainty-range-delete",
    ),
    path("projects/<int:pk>/risk-inputs/groups/", views.uncertainty.group_add, name="uncertainty-group-add"),
    path("projects/<int:pk>/risk-inputs/groups/<int:item>/", views.uncertainty.group_save, name="uncertainty-group"),
    path(
        "projects/<int:pk>/risk-inputs/groups/<int:item>/delete/",
        views.uncertainty.group_remove,
        name="uncertainty-group-delete",
    ),
    # A project is created from its program's page, so the program is in the path.
    path("programs/<str:program_code>/projects/new/", views.project_create_view, name="project-create"),
]
