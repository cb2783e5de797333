from django.contrib import admin

from .models import ApiToken, AuditEntry, Notification, NotificationPreference, TaskRun


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at", "email_mode", "emailed_at", "cleared_at"]
    list_filter = ["kind", "email_mode"]
    search_fields = ["title", "user__username", "dedupe_key"]
    list_select_related = ["user"]
    readonly_fields = ["created_at", "dedupe_key"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email", "digest"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


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
