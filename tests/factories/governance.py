import datetime
from decimal import Decimal

import factory

from governance.models import (
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    Decision,
    GateCriterion,
    OperatingLevelAgreement,
    StageGate,
)

from .budgets import CurrencyFactory
from .portfolio import ProgramFactory
from .projects import ProjectFactory


class StageGateFactory(factory.django.DjangoModelFactory):
    """A pending gate into planning (use governance.services to decide one)."""

    class Meta:
        model = StageGate

    project = factory.SubFactory(ProjectFactory, phase="initiation")
    from_phase = "initiation"
    to_phase = "planning"
    name = factory.Sequence(lambda n: f"Gate {n}")
    planned_date = datetime.date(2026, 3, 1)


class GateCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GateCriterion

    gate = factory.SubFactory(StageGateFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Criterion {n}")


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    project = factory.SubFactory(ProjectFactory)
    program = factory.LazyAttribute(lambda cr: cr.project.program)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Change {n}")
    currency = factory.SubFactory(CurrencyFactory)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    status = Decision.Status.DECIDED
    decided_on = datetime.date(2026, 2, 1)


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Benefit {n}")
    kpi = "Cost per transaction"
    unit = "EUR"
    baseline_value = Decimal("10")
    target_value = Decimal("6")
    status = Benefit.Status.REALISING


class BenefitMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitMeasurement

    benefit = factory.SubFactory(BenefitFactory)
    # Distinct past days: the sequence runs across the whole session, and an actual may not be
    # measured in the future, so it wraps after about four years instead of walking past today.
    measured_on = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n % 1460))
    value = Decimal("9")


class OperatingLevelAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatingLevelAgreement

    program = factory.SubFactory(ProgramFactory)
    service = factory.Sequence(lambda n: f"Service {n}")
    owner_name = "Service desk lead"
    start_date = datetime.date(2026, 1, 1)
    review_date = datetime.date(2026, 7, 1)
    status = OperatingLevelAgreement.Status.ACTIVE


def approved_gate(project, to_phase: str) -> StageGate:
    """An approved gate into `to_phase` (what project_update needs to move the phase forward),
    written directly: tests of other apps use it to open a phase without the gate workflow."""
    from django.utils import timezone

    from governance.models import previous_phase

    return StageGateFactory(
        project=project,
        from_phase=previous_phase(to_phase),
        to_phase=to_phase,
        decision=StageGate.Decision.APPROVED,
        decided_at=timezone.now(),
    )
