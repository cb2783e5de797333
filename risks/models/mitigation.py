"""Mitigation actions: the planned responses to a risk."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField

from ..querysets import MitigationActionQuerySet
from .risk import Risk


class MitigationAction(VersionedModel):
    """One action taken to reduce (or exploit) a risk: who, by when, at what cost (base
    currency). `completed_on` is set exactly when the status is DONE (the services fill it in
    with today's date when not given). Overdue = not done or cancelled and past `due_date`
    (risks.selectors annotates it)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigation_actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="mitigation_actions"
    )
    due_date = bounds.BoundedDateField(null=True, blank=True)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.PLANNED)
    cost = MoneyField(default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    completed_on = bounds.BoundedDateField(null=True, blank=True)

    objects = MitigationActionQuerySet.as_manager()

    class Meta:
        ordering = ["risk_id", "due_date", "pk"]
        constraints = [
            *bounds.checks(money=("cost",), dates=("due_date", "completed_on")),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="%(app_label)s_%(class)s_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="%(app_label)s_%(class)s_completed_on_when_done",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
