"""Writes for portfolios, programs and memberships. Each is atomic, validated and audited."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_update

from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective

OBJECTIVE_OTHER_PORTFOLIO = "Objective {code} belongs to another portfolio."
MEMBERSHIP_NEEDS_ONE_SCOPE = "Give exactly one of portfolio, program or project."


def _create(model, *, actor, **fields):
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=obj, changes=model_changes(obj, fields))
    return obj


@transaction.atomic
def portfolio_create(*, actor, code: str, name: str, base_currency: str = "EUR", description: str = "") -> Portfolio:
    return _create(Portfolio, actor=actor, code=code, name=name, base_currency=base_currency, description=description)


@transaction.atomic
def objective_create(
    *, actor, portfolio: Portfolio, code: str, title: str, description: str = ""
) -> StrategicObjective:
    return _create(
        StrategicObjective, actor=actor, portfolio=portfolio, code=code, title=title, description=description
    )


def _set_objectives(program: Program, objectives: list[tuple[StrategicObjective, Decimal]], *, actor=None) -> None:
    for objective, _ in objectives:
        if objective.portfolio_id != program.portfolio_id:
            raise ValidationError({"objectives": OBJECTIVE_OTHER_PORTFOLIO.format(code=objective.code)})
    before = {
        link.objective.code: str(link.weight)
        for link in ProgramObjective.objects.filter(program=program).select_related("objective")
    }
    ProgramObjective.objects.filter(program=program).delete()
    links = [ProgramObjective(program=program, objective=o, weight=w) for o, w in objectives]
    for link in links:
        link.full_clean(exclude=["program"], validate_unique=False)
    ProgramObjective.objects.bulk_create(links)
    after = {o.code: str(Decimal(w).quantize(Decimal("0.01"))) for o, w in objectives}
    if before != after:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=program,
            changes={"objectives": [repr(before), repr(after)]},
        )


@transaction.atomic
def program_create(
    *,
    actor,
    portfolio: Portfolio,
    code: str,
    name: str,
    objectives: list[tuple[StrategicObjective, Decimal]] = (),
    **fields: Any,
) -> Program:
    """Create a program; `objectives` is a list of (objective, weight in percent)."""
    program = _create(Program, actor=actor, portfolio=portfolio, code=code, name=name, **fields)
    if objectives:
        _set_objectives(program, list(objectives), actor=actor)
    inputs_changed(programs=[program], portfolios=[program.portfolio_id])
    return program


@transaction.atomic
def program_update(
    *,
    actor,
    program: Program,
    data: dict[str, Any],
    expected_version: int | None = None,
    objectives: list[tuple[StrategicObjective, Decimal]] | None = None,
) -> Program:
    """Update a program's fields under optimistic concurrency; replace its objectives when given."""
    portfolio_before = program.portfolio_id
    program = versioned_update(instance=program, data=data, actor=actor, expected_version=expected_version)
    if objectives is not None:
        _set_objectives(program, objectives, actor=actor)
    # Its reserves and dates feed its roll-up; a move changes both portfolios'.
    inputs_changed(programs=[program], portfolios={portfolio_before, program.portfolio_id})
    return program


@transaction.atomic
def membership_create(*, actor, user, role: str, portfolio=None, program=None, project=None) -> Membership:
    if sum(scope is not None for scope in (portfolio, program, project)) != 1:
        raise ValidationError({"scope": MEMBERSHIP_NEEDS_ONE_SCOPE})
    return _create(Membership, actor=actor, user=user, role=role, portfolio=portfolio, program=program, project=project)


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=membership)
    membership.delete()
