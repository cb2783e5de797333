from django.contrib import admin

from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective
from .services import membership_create, membership_delete


class ObjectiveInline(admin.TabularInline):
    model = StrategicObjective
    extra = 0


class ProgramObjectiveInline(admin.TabularInline):
    model = ProgramObjective
    extra = 0
    autocomplete_fields = ["objective"]


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base_currency"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ObjectiveInline]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "portfolio"]
    list_filter = ["portfolio"]
    search_fields = ["code", "title"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "portfolio", "status", "manager", "start_date", "finish_date"]
    list_filter = ["portfolio", "status"]
    search_fields = ["code", "name"]
    list_select_related = ["portfolio", "manager"]
    autocomplete_fields = ["manager", "sponsor"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProgramObjectiveInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "portfolio", "program", "project"]
    list_filter = ["role"]
    search_fields = ["user__username", "program__code", "project__code", "portfolio__code"]
    list_select_related = ["user", "portfolio", "program", "project"]
    autocomplete_fields = ["user", "portfolio", "program", "project"]
    # Grants and revocations go through portfolio.services (audited); a grant is not edited in
    # place: revoke it and grant another (core.admin_site).
    saves_through_services = True

    def has_change_permission(self, request, obj=None):
        # The change form still opens (read-only) for a saved grant; only adding writes.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = membership_create(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            portfolio=obj.portfolio,
            program=obj.program,
            project=obj.project,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_delete(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_delete(actor=request.user, membership=membership)
