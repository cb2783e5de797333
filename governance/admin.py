from django.contrib import admin

from .models import (
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    GateCriterion,
    OlaTarget,
    OperatingLevelAgreement,
    StageGate,
)


class GateCriterionInline(admin.TabularInline):
    model = GateCriterion
    extra = 0


@admin.register(StageGate)
class StageGateAdmin(admin.ModelAdmin):
    list_display = ["project", "to_phase", "name", "planned_date", "decision"]
    list_filter = ["decision", "to_phase"]
    raw_id_fields = ["project"]
    inlines = [GateCriterionInline]


class ChangeRequestLineInline(admin.TabularInline):
    model = ChangeRequestLine
    extra = 0


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["project", "number", "title", "status", "cost_impact"]
    list_filter = ["status"]
    raw_id_fields = ["project", "requested_by"]
    inlines = [ChangeRequestLineInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["program", "title", "status", "decided_on"]
    list_filter = ["status"]
    raw_id_fields = ["program", "project", "stage_gate", "change_request", "decided_by"]


class BenefitMeasurementInline(admin.TabularInline):
    model = BenefitMeasurement
    extra = 0


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ["program", "name", "kpi", "status"]
    list_filter = ["status"]
    raw_id_fields = ["program", "owner"]
    inlines = [BenefitMeasurementInline]


class OlaTargetInline(admin.TabularInline):
    model = OlaTarget
    extra = 0


@admin.register(OperatingLevelAgreement)
class OperatingLevelAgreementAdmin(admin.ModelAdmin):
    list_display = ["program", "service", "status", "review_date"]
    list_filter = ["status"]
    raw_id_fields = ["program", "it_process_owner"]
    inlines = [OlaTargetInline]
