"""Stage gates: the checkpoint a project passes to enter its next lifecycle phase."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel
from projects.models import Project

from ..querysets import GateCriterionQuerySet, StageGateQuerySet

Phase = Project.Phase
# The lifecycle in order; a project moves forward through it one gate at a time.
PHASE_ORDER: list[str] = [value for value, _ in Phase.choices]
# Every phase but the first is entered through a gate (initiation is where a project starts).
GATED_PHASES: list[str] = PHASE_ORDER[1:]


def phase_index(phase: str) -> int:
    return PHASE_ORDER.index(phase)


def previous_phase(phase: str) -> str:
    """The phase a gate into `phase` is passed from."""
    return PHASE_ORDER[max(phase_index(phase) - 1, 0)]


class StageGate(VersionedModel):
    """One gate review: may the project enter `to_phase`?

    The project manager prepares the gate (name, planned date, checklist) and ticks the criteria;
    the program manager (GATE_APPROVERS on the program or its portfolio) decides it. A decision —
    approved, rejected or deferred — is final for this row: a later review of the same phase is a
    new gate, so the log of every review stays. At most one review per phase is pending at a time
    and at most one is approved. `from_phase` is the phase before `to_phase` in the lifecycle, set
    when the gate is created (a gate never skips a phase; skipping needs each gate).
    """

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="stage_gates")
    from_phase = models.CharField(max_length=20, choices=Phase.choices, editable=False)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    name = models.CharField(max_length=200)
    planned_date = bounds.BoundedDateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_stage_gates",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_notes = models.TextField(blank=True)

    objects = StageGateQuerySet.as_manager()

    class Meta:
        ordering = ["project", "planned_date", "pk"]
        constraints = [
            *bounds.checks(dates=("planned_date",)),
            models.CheckConstraint(
                condition=Q(to_phase__in=GATED_PHASES), name="%(app_label)s_%(class)s_to_phase_gated"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "approved", "rejected", "deferred"]),
                name="%(app_label)s_%(class)s_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="%(app_label)s_%(class)s_decided_when_decided",
            ),
            models.UniqueConstraint(
                fields=["project", "to_phase"],
                condition=Q(decision="approved"),
                name="%(app_label)s_%(class)s_one_approved_per_phase",
            ),
            models.UniqueConstraint(
                fields=["project", "to_phase"],
                condition=Q(decision="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_phase",
                violation_error_message="This project already has a pending gate for that phase.",
            ),
        ]
        indexes = [models.Index(fields=["project", "to_phase", "decision"], name="governance_gate_phase")]

    def __str__(self) -> str:
        return f"{self.project.code} gate to {self.get_to_phase_display()}"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING


class GateCriterion(VersionedModel):
    """One item of a gate's checklist ("business case approved", "budget baselined").

    `met` is ticked by the project team with `evidence` (a link or a note); who ticked it and when
    is kept. There is no waiver: a criterion that does not apply is removed while the gate is
    pending, which the audit log records. Criteria are frozen once the gate is decided."""

    gate = models.ForeignKey(StageGate, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    met = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GateCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["gate", "order", "pk"]
        verbose_name_plural = "gate criteria"
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="%(app_label)s_%(class)s_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{'✓' if self.met else '☐'} {self.text}"
