"""Governance reads: access-scoped lists with what their rows show already loaded, gate checks,
realisation figures and the project and program governance pages (pages.py)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from projects.models import Project

from ..models import (
    PHASE_ORDER,
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    GateCriterion,
    OlaTarget,
    OperatingLevelAgreement,
    StageGate,
    phase_index,
)
from .pages import (
    BenefitRow,
    GateStep,
    ProgramGovernance,
    ProgramGovernanceSummary,
    ProjectGovernance,
    program_governance,
    program_governance_summary,
    project_governance,
)

__all__ = [
    "BenefitRow",
    "GateStep",
    "ProgramGovernance",
    "ProgramGovernanceSummary",
    "ProjectGovernance",
    "benefit_list",
    "benefit_measurement_list",
    "change_request_line_list",
    "change_request_list",
    "decision_list",
    "gate_criterion_list",
    "ola_list",
    "phases_missing_gate",
    "program_governance",
    "program_governance_summary",
    "project_governance",
    "realisation_percent",
    "stage_gate_list",
]


def phases_missing_gate(*, project: Project, from_phase: str, to_phase: str) -> list[str]:
    """The phases after `from_phase` up to and including `to_phase` that have no approved gate for
    `project`, in lifecycle order. Empty when moving back, staying, or naming an unknown phase (the
    model's own validation reports that one)."""
    if from_phase not in PHASE_ORDER or to_phase not in PHASE_ORDER:
        return []
    entered = PHASE_ORDER[phase_index(from_phase) + 1 : phase_index(to_phase) + 1]
    if not entered:
        return []
    approved = set(
        StageGate.objects.filter(
            project=project, to_phase__in=entered, decision=StageGate.Decision.APPROVED
        ).values_list("to_phase", flat=True)
    )
    return [phase for phase in entered if phase not in approved]


def realisation_percent(*, baseline: Decimal, target: Decimal, latest: Decimal | None) -> Decimal | None:
    """How far the latest actual has moved from the baseline towards the target, in percent:
    (latest - baseline) / (target - baseline) * 100. None without an actual (or a zero span);
    below 0 when it moved the wrong way, above 100 when it overshot."""
    if latest is None or target == baseline:
        return None
    return (Decimal(latest) - baseline) / (target - baseline) * 100


# -- lists -----------------------------------------------------------------------------------------


def stage_gate_list(*, user):
    return (
        StageGate.objects.visible_to(user)
        .select_related("project", "decided_by")
        .annotate(criteria_count=Count("criteria"), criteria_met=Count("criteria", filter=Q(criteria__met=True)))
    )


def gate_criterion_list(*, user):
    return GateCriterion.objects.visible_to(user).select_related("gate__project", "checked_by")


def change_request_list(*, user):
    return ChangeRequest.objects.visible_to(user).select_related("project", "requested_by", "decided_by")


def change_request_line_list(*, user):
    return ChangeRequestLine.objects.visible_to(user).select_related("change_request__project", "category", "period")


def decision_list(*, user):
    return Decision.objects.visible_to(user).select_related(
        "program", "project", "decided_by", "stage_gate", "change_request"
    )


def _latest(field: str):
    return Subquery(
        BenefitMeasurement.objects.filter(benefit=OuterRef("pk")).order_by("-measured_on").values(field)[:1]
    )


def benefit_list(*, user):
    """Benefits with `latest_value` and `latest_on` (their newest measurement) annotated."""
    return (
        Benefit.objects.visible_to(user)
        .select_related("program", "owner")
        .annotate(latest_value=_latest("value"), latest_on=_latest("measured_on"))
    )


def benefit_measurement_list(*, user):
    return BenefitMeasurement.objects.visible_to(user).select_related("benefit", "recorded_by")


def ola_list(*, user, today: dt.date | None = None):
    """OLAs with their targets and `review_overdue` (see OperatingLevelAgreement)."""
    from django.db.models import BooleanField, Case, Value, When
    from django.utils import timezone

    today = today or timezone.localdate()
    return (
        OperatingLevelAgreement.objects.visible_to(user)
        .select_related("program", "it_process_owner")
        .prefetch_related(Prefetch("targets", queryset=OlaTarget.objects.order_by("pk")))
        .annotate(
            review_overdue=Case(
                When(Q(status__in=["active", "under_review"], review_date__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
