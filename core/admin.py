from django.contrib import admin

from .models import ApiToken, AuditEntry, TaskRun


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    list_select_related = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    list_select_related = ["actor"]

    # The audit log is append-only and written by services: the admin lists and shows entries,
    # and offers no add, change or delete (not even to a superuser).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Task runs are written by Celery's signals (core.taskruns): the admin reads and deletes them."""

    list_display = ["name", "label", "status", "queued_at", "started_at", "finished_at", "attempts"]
    list_filter = ["status", "name"]
    search_fields = ["task_id", "name", "label", "error"]
    date_hierarchy = "queued_at"
    readonly_fields = [field.name for field in TaskRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
