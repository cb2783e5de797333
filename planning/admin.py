"""Planning rows in the Django admin, for administrators to inspect (planning is done on its
pages and the API, whose services keep the overlay and the commit consistent)."""

from django.contrib import admin

from .models import (
    BudgetCap,
    CriterionValue,
    OptimisationRun,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)


class ScenarioProjectInline(admin.TabularInline):
    model = ScenarioProject
    extra = 0
    raw_id_fields = ["project", "requires"]


class BudgetCapInline(admin.TabularInline):
    model = BudgetCap
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "status", "horizon_start", "horizon_months", "created_at", "committed_at"]
    list_filter = ["status"]
    raw_id_fields = ["based_on", "created_by"]
    inlines = [ScenarioProjectInline, BudgetCapInline]


@admin.register(ScenarioBudget)
class ScenarioBudgetAdmin(admin.ModelAdmin):
    list_display = ["scenario", "project", "period", "amount"]
    raw_id_fields = ["scenario", "project", "period"]


@admin.register(ScenarioDemand)
class ScenarioDemandAdmin(admin.ModelAdmin):
    list_display = ["scenario", "project", "role", "month", "fte"]
    raw_id_fields = ["scenario", "project", "role"]


@admin.register(ScoringCriterion)
class ScoringCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "kind", "direction", "weight"]
    list_filter = ["kind"]


@admin.register(PairwiseJudgement)
class PairwiseJudgementAdmin(admin.ModelAdmin):
    list_display = ["criterion_a", "criterion_b", "value"]


@admin.register(CriterionValue)
class CriterionValueAdmin(admin.ModelAdmin):
    list_display = ["criterion", "project", "value"]
    raw_id_fields = ["project"]


@admin.register(OptimisationRun)
class OptimisationRunAdmin(admin.ModelAdmin):
    list_display = ["scenario", "status", "created_by", "created_at", "finished_at", "applied_at"]
    list_filter = ["status"]
    raw_id_fields = ["scenario", "created_by", "task_run"]
