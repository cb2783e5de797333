from django.contrib import admin

from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective


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
