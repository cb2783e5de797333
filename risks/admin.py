"""Risks in the Django admin: for administrators to inspect and correct. Numbers, scores and
history are computed or written by risks.services, so they are read-only here; the score
history is append-only and cannot be edited at all."""

from django.contrib import admin

from .models import Issue, MitigationAction, Risk, RiskScoreHistory

VERSIONED = ["version", "created_at", "updated_at"]


class MitigationActionInline(admin.TabularInline):
    model = MitigationAction
    extra = 0
    fields = ["title", "owner", "due_date", "status", "cost", "completed_on"]
    raw_id_fields = ["owner"]


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "category", "score", "band", "emv", "status", "escalated_at"]
    list_filter = ["status", "category", "band", "response"]
    search_fields = ["title", "program__code", "project__code"]
    list_select_related = ["program", "project"]
    raw_id_fields = ["program", "project", "owner", "vendor", "contract", "tasks"]
    readonly_fields = [
        "number",
        "score",
        "band",
        "emv",
        "residual_score",
        "residual_band",
        "residual_emv",
        "escalated_at",
        "escalated_by",
        *VERSIONED,
    ]
    inlines = [MitigationActionInline]

    def has_add_permission(self, request):
        return False  # numbered and historied by risks.services.risk_create


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "severity", "status", "due_date", "risk"]
    list_filter = ["status", "severity"]
    search_fields = ["title", "program__code", "project__code"]
    list_select_related = ["program", "project", "risk", "risk__program"]
    raw_id_fields = ["program", "project", "owner"]
    readonly_fields = ["number", "risk", "reserve_transaction", *VERSIONED]

    def has_add_permission(self, request):
        return False  # numbered by risks.services.issue_create


@admin.register(RiskScoreHistory)
class RiskScoreHistoryAdmin(admin.ModelAdmin):
    list_display = ["risk", "at", "score", "residual_score", "status", "emv"]
    list_select_related = ["risk", "risk__program"]
    raw_id_fields = ["risk", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
