from django.contrib import admin

from .models import Project, ScheduleAssignment, ScheduleImport, ScheduleResource, StatusReport


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "program", "phase", "status", "priority", "manager"]
    list_filter = ["phase", "status", "priority", "program__portfolio"]
    search_fields = ["code", "name"]
    list_select_related = ["program", "manager"]
    autocomplete_fields = ["program", "manager"]
    readonly_fields = ["version", "created_at", "updated_at", "latest_status_report"]


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ["project", "period_end", "overall_rag", "percent_complete", "submitted_by", "submitted_at"]
    list_filter = ["overall_rag"]
    search_fields = ["project__code", "summary"]
    list_select_related = ["project", "submitted_by"]
    autocomplete_fields = ["project"]
    date_hierarchy = "period_end"


@admin.register(ScheduleImport)
class ScheduleImportAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "filename", "replace", "user", "created_at", "applied_at"]
    list_filter = ["replace"]
    search_fields = ["filename", "project__code", "user__username"]
    list_select_related = ["project", "user"]
    readonly_fields = [f.name for f in ScheduleImport._meta.fields]

    def has_add_permission(self, request):
        return False  # a schedule import starts from an upload on the schedule page, not from the admin


@admin.register(ScheduleResource)
class ScheduleResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "type", "email", "calendar", "max_units", "standard_rate"]
    list_filter = ["type"]
    search_fields = ["name", "email", "project__code"]
    raw_id_fields = ["project", "calendar"]


@admin.register(ScheduleAssignment)
class ScheduleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "resource", "units", "work_minutes", "remaining_work_minutes", "cost"]
    search_fields = ["task__name", "resource__name", "task__project__code"]
    raw_id_fields = ["task", "resource"]
