from django.contrib import admin

from .models import Project, StatusReport


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
