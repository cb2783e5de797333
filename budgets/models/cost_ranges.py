"""How uncertain a project's cost is, for the quantitative risk analysis (risks.analysis): a
three-point range on the project's current budget for one cost category. The most likely value
is `likely_amount`, or the category's current approved budget when it is empty."""

from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField
from projects.models import Distribution
from projects.models.uncertainty import DISTRIBUTION_VALUES

from .costs import CostCategory


class CostRange(VersionedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="cost_ranges")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="cost_ranges")
    low_amount = MoneyField(validators=bounds.money_validators())
    likely_amount = MoneyField(null=True, blank=True, validators=bounds.money_validators())
    high_amount = MoneyField(validators=bounds.money_validators())
    distribution = models.CharField(max_length=12, choices=Distribution.choices, default=Distribution.TRIANGULAR)

    class Meta:
        ordering = ["project", "category"]
        constraints = [
            *bounds.checks(money=("low_amount", "likely_amount", "high_amount")),
            models.CheckConstraint(
                condition=Q(low_amount__lte=F("high_amount")), name="%(app_label)s_%(class)s_low_lte_high"
            ),
            models.CheckConstraint(
                condition=Q(likely_amount__isnull=True)
                | Q(likely_amount__gte=F("low_amount"), likely_amount__lte=F("high_amount")),
                name="%(app_label)s_%(class)s_likely_within",
            ),
            models.CheckConstraint(
                condition=Q(distribution__in=DISTRIBUTION_VALUES), name="%(app_label)s_%(class)s_distribution_valid"
            ),
            models.UniqueConstraint(fields=["project", "category"], name="%(app_label)s_%(class)s_one_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.category_id}: {self.low_amount}–{self.high_amount}"
