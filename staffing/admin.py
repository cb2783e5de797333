from django.contrib import admin

from .models import Absence, Allocation, CostRate, Person, ResourceMatch, Role, StaffingRequest

VERSIONED = ["version", "created_at", "updated_at"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "portfolio", "standard_rate", "is_active"]
    list_filter = ["portfolio", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = VERSIONED


class CostRateInline(admin.TabularInline):
    model = CostRate
    extra = 0
    readonly_fields = VERSIONED


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    readonly_fields = VERSIONED


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "department", "primary_role", "weekly_capacity_hours", "is_active"]
    list_filter = ["portfolio", "department", "is_active"]
    search_fields = ["name", "email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["roles"]
    inlines = [CostRateInline, AbsenceInline]
    readonly_fields = VERSIONED


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["person", "project", "role", "start", "end", "fte_percent", "hours_per_week"]
    list_filter = ["role__portfolio"]
    search_fields = ["person__name", "project__code"]
    raw_id_fields = ["person", "project", "request"]
    readonly_fields = VERSIONED


@admin.register(StaffingRequest)
class StaffingRequestAdmin(admin.ModelAdmin):
    list_display = ["project", "role", "start", "end", "fte_percent", "hours_per_week", "status"]
    list_filter = ["status"]
    search_fields = ["project__code", "role__name"]
    raw_id_fields = ["project", "requested_by"]
    readonly_fields = ["status", *VERSIONED]


@admin.register(ResourceMatch)
class ResourceMatchAdmin(admin.ModelAdmin):
    list_display = ["resource", "person", "role", "basis"]
    list_filter = ["basis"]
    search_fields = ["resource__name", "person__name", "resource__project__code"]
    raw_id_fields = ["resource", "person", "role"]
