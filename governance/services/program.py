"""Writes for the program-level registers: the decision log, benefits and their measurements,
operating level agreements and their targets. Edited by PROGRAM_EDITORS (checked by the views
and API); atomic and audited."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from budgets.services._common import create_audited, delete_audited
from core.changes import inputs_changed
from core.services import versioned_update
from portfolio.models import Program

from ..models import Benefit, BenefitMeasurement, Decision, OlaTarget, OperatingLevelAgreement
from ._common import refuse

PROJECT_OTHER_PROGRAM = "The project belongs to another program."
LINK_OTHER_PROGRAM = "The linked {what} belongs to another program."
TARGET_IS_BASELINE = "The target must differ from the baseline, or there is nothing to realise."
NEGATIVE_VALUE = "This KPI cannot be negative."
MEASURED_IN_FUTURE = "An actual cannot be measured in the future."
REVIEW_BEFORE_START = "The review date must be on or after the start date."
TARGETS_INVALID = "Each target needs a metric and a number."


# -- the decision log ------------------------------------------------------------------------------


def _check_decision_links(program: Program, values: dict[str, Any]) -> None:
    project = values.get("project")
    if project is not None and project.program_id != program.pk:
        refuse("project", PROJECT_OTHER_PROGRAM)
    gate = values.get("stage_gate")
    if gate is not None and gate.project.program_id != program.pk:
        refuse("stage_gate", LINK_OTHER_PROGRAM.format(what="stage gate"))
    change = values.get("change_request")
    if change is not None and change.project.program_id != program.pk:
        refuse("change_request", LINK_OTHER_PROGRAM.format(what="change request"))


def _decided_defaults(actor, values: dict[str, Any], current: Decision | None = None) -> None:
    """A decided entry gets today's date and the actor as decider unless given."""
    status = values.get("status", current.status if current else Decision.Status.PROPOSED)
    if status != Decision.Status.PROPOSED:
        if values.get("decided_on", current.decided_on if current else None) is None:
            values["decided_on"] = timezone.localdate()
        if values.get("decided_by", current.decided_by if current else None) is None and getattr(
            actor, "is_authenticated", False
        ):
            values["decided_by"] = actor


@transaction.atomic
def decision_create(*, actor, program: Program, title: str, **fields: Any) -> Decision:
    """Log a decision by hand (proposed, or decided — then dated today and by the actor unless
    given)."""
    _check_decision_links(program, fields)
    _decided_defaults(actor, fields)
    entry = Decision(program=program, title=title, **fields)
    create_audited(actor=actor, obj=entry, fields=["program", "title", "status", *fields])
    inputs_changed(programs=[program])
    return entry


@transaction.atomic
def decision_update(
    *, actor, decision: Decision, data: dict[str, Any], expected_version: int | None = None
) -> Decision:
    data = {k: v for k, v in data.items() if k != "program"}
    _check_decision_links(decision.program, data)
    _decided_defaults(actor, data, decision)
    decision = versioned_update(instance=decision, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(programs=[decision.program_id])
    return decision


# -- benefits --------------------------------------------------------------------------------------


def _check_benefit(values: dict[str, Any], current: Benefit | None = None) -> None:
    def value(name):
        return values.get(name, getattr(current, name, None))

    baseline, target, non_negative = value("baseline_value"), value("target_value"), value("non_negative")
    if non_negative is None:
        non_negative = True
    if baseline is not None and target is not None and Decimal(baseline) == Decimal(target):
        refuse("target_value", TARGET_IS_BASELINE)
    for name, number in (("baseline_value", baseline), ("target_value", target)):
        if non_negative and number is not None and Decimal(number) < 0:
            refuse(name, NEGATIVE_VALUE)


@transaction.atomic
def benefit_create(
    *, actor, program: Program, name: str, kpi: str, baseline_value: Decimal, target_value: Decimal, **fields: Any
) -> Benefit:
    values = {"baseline_value": baseline_value, "target_value": target_value, **fields}
    _check_benefit(values)
    benefit = Benefit(program=program, name=name, kpi=kpi, **values)
    create_audited(
        actor=actor, obj=benefit, fields=["program", "name", "kpi", "baseline_value", "target_value", "status"]
    )
    inputs_changed(programs=[program])
    return benefit


@transaction.atomic
def benefit_update(*, actor, benefit: Benefit, data: dict[str, Any], expected_version: int | None = None) -> Benefit:
    data = {k: v for k, v in data.items() if k != "program"}
    _check_benefit(data, benefit)
    if data.get("non_negative", benefit.non_negative) and benefit.measurements.filter(value__lt=0).exists():
        refuse("non_negative", NEGATIVE_VALUE)
    benefit = versioned_update(instance=benefit, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(programs=[benefit.program_id])
    return benefit


def _check_measurement(benefit: Benefit, measured_on: dt.date, value: Decimal) -> None:
    if measured_on > timezone.localdate():
        refuse("measured_on", MEASURED_IN_FUTURE)
    if benefit.non_negative and Decimal(value) < 0:
        refuse("value", NEGATIVE_VALUE)


@transaction.atomic
def benefit_measurement_record(
    *, actor, benefit: Benefit, measured_on: dt.date, value: Decimal, note: str = ""
) -> BenefitMeasurement:
    """Record the KPI's actual on `measured_on`; a second value for the same day replaces the
    first (audited as an update), so re-sending a measurement is harmless."""
    _check_measurement(benefit, measured_on, value)
    existing = BenefitMeasurement.objects.select_for_update().filter(benefit=benefit, measured_on=measured_on).first()
    if existing is not None:
        measurement = versioned_update(instance=existing, data={"value": value, "note": note}, actor=actor)
    else:
        measurement = BenefitMeasurement(
            benefit=benefit,
            measured_on=measured_on,
            value=value,
            note=note,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        create_audited(actor=actor, obj=measurement, fields=["benefit", "measured_on", "value"])
    inputs_changed(programs=[benefit.program_id])
    return measurement


@transaction.atomic
def benefit_measurement_update(
    *, actor, measurement: BenefitMeasurement, data: dict[str, Any], expected_version: int | None = None
) -> BenefitMeasurement:
    data = {k: v for k, v in data.items() if k != "benefit"}
    _check_measurement(
        measurement.benefit, data.get("measured_on", measurement.measured_on), data.get("value", measurement.value)
    )
    updated = versioned_update(instance=measurement, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(programs=[measurement.benefit.program_id])
    return updated


def benefit_measurement_delete(*, actor, measurement: BenefitMeasurement) -> None:
    with transaction.atomic():
        delete_audited(actor=actor, obj=measurement)
        inputs_changed(programs=[measurement.benefit.program_id])


# -- operating level agreements --------------------------------------------------------------------


def _check_ola_dates(values: dict[str, Any], current: OperatingLevelAgreement | None = None) -> None:
    start = values.get("start_date", getattr(current, "start_date", None))
    review = values.get("review_date", getattr(current, "review_date", None))
    if start and review and review < start:
        refuse("review_date", REVIEW_BEFORE_START)


def _targets_set(actor, ola: OperatingLevelAgreement, targets: list[dict]) -> None:
    """Replace the OLA's targets with `targets` (dicts of metric, direction, target, unit)."""
    for target in targets:
        if not str(target.get("metric", "")).strip() or target.get("target") in (None, ""):
            refuse("targets", TARGETS_INVALID)
    for old in list(ola.targets.all()):
        delete_audited(actor=actor, obj=old)
    for target in targets:
        row = OlaTarget(
            ola=ola,
            metric=target["metric"].strip(),
            direction=target.get("direction") or OlaTarget.Direction.AT_LEAST,
            target=target["target"],
            unit=target.get("unit", ""),
        )
        create_audited(actor=actor, obj=row, fields=["ola", "metric", "direction", "target", "unit"])


@transaction.atomic
def ola_create(
    *,
    actor,
    program: Program,
    service: str,
    start_date: dt.date,
    review_date: dt.date,
    targets: list[dict] | None = None,
    **fields: Any,
) -> OperatingLevelAgreement:
    _check_ola_dates({"start_date": start_date, "review_date": review_date})
    ola = OperatingLevelAgreement(
        program=program, service=service, start_date=start_date, review_date=review_date, **fields
    )
    create_audited(actor=actor, obj=ola, fields=["program", "service", "start_date", "review_date", "status"])
    _targets_set(actor, ola, targets or [])
    inputs_changed(programs=[program])
    return ola


@transaction.atomic
def ola_update(
    *,
    actor,
    ola: OperatingLevelAgreement,
    data: dict[str, Any],
    targets: list[dict] | None = None,
    expected_version: int | None = None,
) -> OperatingLevelAgreement:
    """Edit an OLA; `targets` (when not None) replaces its targets."""
    data = {k: v for k, v in data.items() if k not in ("program", "targets")}
    _check_ola_dates(data, ola)
    ola = versioned_update(instance=ola, data=data, actor=actor, expected_version=expected_version)
    if targets is not None:
        _targets_set(actor, ola, targets)
    inputs_changed(programs=[ola.program_id])
    return ola
