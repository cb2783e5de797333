"""Writes for staffing: job roles, people, cost rates, absences, allocations and staffing requests.

Each is keyword-only, atomic, validated and audited. The rules a database constraint also
holds are checked here first, so the error names the field (a constraint violation would be a
nameless error): dates ordered, exactly one of fte_percent / hours_per_week in range, the
person and role from the project's portfolio pool, a request of the same project and role.
A request's stored status is recomputed whenever the allocations filling it change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from budgets.services._common import create_audited, currency_or_base, update_audited
from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, versioned_delete, versioned_update
from projects.models import Project

from . import capacity
from .models import HOURS_IN_A_WEEK, PERCENT_MAX, Absence, Allocation, CostRate, Person, Role, StaffingRequest

END_BEFORE_START = "The end date is before the start date."
ONE_AMOUNT = "Give either an FTE percentage or hours per week, not both and not neither."
FTE_RANGE = "An FTE percentage is more than 0 and at most 100."
HOURS_POSITIVE = "Hours per week must be more than 0."
HOURS_TOO_MANY = "Hours per week cannot exceed 168."
PERSON_OTHER_POOL = "This person is not in the resource pool of the project's portfolio."
ROLE_OTHER_POOL = "This role belongs to another portfolio's resource pool."
REQUEST_MISMATCH = "The staffing request is for another project or role."
REQUEST_CANCELLED = "This staffing request is cancelled; allocations can no longer fill it."
PRIMARY_NOT_HELD = "The primary role must be one of the person's roles."
USER_HAS_PERSON = "This user is already linked to another person."
PERSON_INACTIVE = "This person is inactive and cannot be allocated."
ALREADY_CANCELLED = "This staffing request is already cancelled."
ROLE_CODE_TAKEN = "This pool already has a role with this code."

_AMOUNT_FIELDS = ("fte_percent", "hours_per_week")


def check_dates(start, end) -> None:
    """The end on or after the start (ValidationError on `end`)."""
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": END_BEFORE_START})


def check_amount(fte_percent, hours_per_week) -> None:
    """Exactly one of the two amounts, each in range (ValidationError naming the field)."""
    if (fte_percent is None) == (hours_per_week is None):
        raise ValidationError({"fte_percent": ONE_AMOUNT, "hours_per_week": ONE_AMOUNT})
    if fte_percent is not None and not (Decimal(0) < Decimal(fte_percent) <= PERCENT_MAX):
        raise ValidationError({"fte_percent": FTE_RANGE})
    if hours_per_week is not None:
        if Decimal(hours_per_week) <= 0:
            raise ValidationError({"hours_per_week": HOURS_POSITIVE})
        if Decimal(hours_per_week) > HOURS_IN_A_WEEK:
            raise ValidationError({"hours_per_week": HOURS_TOO_MANY})


def _switch_amount(data: dict[str, Any]) -> None:
    """An update giving only one of the amounts (not None) switches to it: the other is cleared."""
    for given, other in (_AMOUNT_FIELDS, reversed(_AMOUNT_FIELDS)):
        if data.get(given) is not None and other not in data:
            data[other] = None


def _check_role(role: Role, portfolio_id: int, field: str = "role") -> None:
    if role.portfolio_id != portfolio_id:
        raise ValidationError({field: ROLE_OTHER_POOL})


# -- roles ---------------------------------------------------------------------------------------


def _check_role_code(*, portfolio_id: int, code: str, pk: int | None = None) -> None:
    """The code is free in the pool (the unique constraint alone would give a nameless error)."""
    if Role.objects.filter(portfolio_id=portfolio_id, code=code).exclude(pk=pk).exists():
        raise ValidationError({"code": ROLE_CODE_TAKEN})


@transaction.atomic
def role_create(
    *, actor, portfolio, code: str, name: str, standard_rate: Decimal | None = None, is_active: bool = True
) -> Role:
    _check_role_code(portfolio_id=portfolio.pk, code=code)
    role = Role(portfolio=portfolio, code=code, name=name, standard_rate=standard_rate, is_active=is_active)
    return create_audited(actor=actor, obj=role, fields=["portfolio", "code", "name", "standard_rate"])


@transaction.atomic
def role_update(*, actor, role: Role, data: dict[str, Any], expected_version: int | None = None) -> Role:
    data = {k: v for k, v in data.items() if k != "portfolio"}  # a role stays in its pool
    if "code" in data:
        _check_role_code(portfolio_id=role.portfolio_id, code=data["code"], pk=role.pk)
    role = versioned_update(instance=role, data=data, actor=actor, expected_version=expected_version)
    if "standard_rate" in data:
        _touch_role(role.pk)
    return role


# -- what the roll-ups hear ---------------------------------------------------------------------


def _touch_person(person_id: int) -> None:
    """A person's capacity, absences or rate changed: every project they are allocated to (one
    query) re-reads its over-allocation and labour cost."""
    inputs_changed(
        projects=Allocation.objects.filter(person_id=person_id)
        .order_by()
        .values_list("project_id", flat=True)
        .distinct()
    )


def _touch_role(role_id: int) -> None:
    """A role's standard rate prices the requests and allocations in it (one query)."""
    inputs_changed(
        projects=Project.objects.filter(
            Q(pk__in=Allocation.objects.filter(role_id=role_id).values("project_id"))
            | Q(pk__in=StaffingRequest.objects.filter(role_id=role_id).values("project_id"))
        ).values_list("pk", flat=True)
    )


# -- people --------------------------------------------------------------------------------------


def _check_person(*, portfolio_id: int, user, person_pk, roles, primary_role) -> None:
    for role in roles or ():
        _check_role(role, portfolio_id, "roles")
    if primary_role is not None:
        _check_role(primary_role, portfolio_id, "primary_role")
        if roles is not None and primary_role not in list(roles):
            raise ValidationError({"primary_role": PRIMARY_NOT_HELD})
    if user is not None and Person.objects.filter(user=user).exclude(pk=person_pk).exists():
        raise ValidationError({"user": USER_HAS_PERSON})


@transaction.atomic
def person_create(
    *,
    actor,
    portfolio,
    name: str,
    email: str = "",
    department: str = "",
    user=None,
    roles=(),
    primary_role: Role | None = None,
    weekly_capacity_hours: Decimal = Decimal(40),
    is_active: bool = True,
) -> Person:
    """Add a person to `portfolio`'s pool. The primary role (default: the first role) must be one
    of `roles`; roles come from the same pool."""
    roles = list(roles or ())
    if primary_role is None and roles:
        primary_role = roles[0]
    if primary_role is not None and primary_role not in roles:
        roles.append(primary_role)
    _check_person(portfolio_id=portfolio.pk, user=user, person_pk=None, roles=roles, primary_role=primary_role)
    person = Person(
        portfolio=portfolio,
        name=name,
        email=email,
        department=department,
        user=user,
        primary_role=primary_role,
        weekly_capacity_hours=weekly_capacity_hours,
        is_active=is_active,
    )
    create_audited(actor=actor, obj=person, fields=["portfolio", "name", "department", "weekly_capacity_hours"])
    person.roles.set(roles)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any], expected_version: int | None = None) -> Person:
    """Change a person's fields; `roles` (a list) replaces their roles. The pool is fixed. When
    the new roles drop the primary role, the first of them becomes primary."""
    data = dict(data)
    data.pop("portfolio", None)
    roles = data.pop("roles", None)
    primary = data.get("primary_role", person.primary_role)
    if roles is not None:
        roles = list(roles)
        if primary is not None and primary not in roles:
            if "primary_role" in data:
                raise ValidationError({"primary_role": PRIMARY_NOT_HELD})
            primary = data["primary_role"] = roles[0] if roles else None
    _check_person(
        portfolio_id=person.portfolio_id,
        user=data.get("user", person.user),
        person_pk=person.pk,
        roles=roles,
        primary_role=primary,
    )
    before = sorted(person.roles.values_list("pk", flat=True))
    person = versioned_update(instance=person, data=data, actor=actor, expected_version=expected_version)
    if roles is not None:
        person.roles.set(roles)
        after = sorted(r.pk for r in roles)
        if before != after:
            audit_record(
                actor=actor, action=AuditEntry.Action.UPDATE, obj=person, changes={"roles": [str(before), str(after)]}
            )
    elif primary is not None:
        person.roles.add(primary)
    _touch_person(person.pk)  # capacity, activity
    return person


# -- cost rates ------------------------------------------------------------------------------------


@transaction.atomic
def cost_rate_set(*, actor, person: Person, effective_from: dt.date, hourly_rate: Decimal, currency=None) -> CostRate:
    """The person's hourly rate from `effective_from` on (default currency: the portfolio's
    base). Setting a rate on a day that already has one replaces it."""
    currency = currency_or_base(currency, person.portfolio)
    existing = CostRate.objects.filter(person=person, effective_from=effective_from).first()
    if existing is not None:
        rate = update_audited(actor=actor, obj=existing, data={"hourly_rate": hourly_rate, "currency": currency})
    else:
        rate = CostRate(person=person, effective_from=effective_from, hourly_rate=hourly_rate, currency=currency)
        create_audited(actor=actor, obj=rate, fields=["person", "effective_from", "hourly_rate", "currency"])
    _touch_person(person.pk)
    return rate


@transaction.atomic
def cost_rate_update(*, actor, cost_rate: CostRate, data: dict[str, Any], expected_version: int | None = None):
    data = {k: v for k, v in data.items() if k != "person"}
    if "currency" in data:
        data["currency"] = currency_or_base(data["currency"], cost_rate.person.portfolio)
    rate = versioned_update(instance=cost_rate, data=data, actor=actor, expected_version=expected_version)
    _touch_person(rate.person_id)
    return rate


@transaction.atomic
def cost_rate_delete(*, actor, cost_rate: CostRate, expected_version: int | None = None) -> None:
    versioned_delete(instance=cost_rate, actor=actor, expected_version=expected_version)
    _touch_person(cost_rate.person_id)


# -- absences --------------------------------------------------------------------------------------


@transaction.atomic
def absence_create(
    *, actor, person: Person, start: dt.date, end: dt.date, kind: str = Absence.Kind.HOLIDAY, note: str = ""
) -> Absence:
    check_dates(start, end)
    absence = Absence(person=person, start=start, end=end, kind=kind, note=note)
    create_audited(actor=actor, obj=absence, fields=["person", "start", "end", "kind"])
    _touch_person(person.pk)
    return absence


@transaction.atomic
def absence_update(*, actor, absence: Absence, data: dict[str, Any], expected_version: int | None = None) -> Absence:
    data = {k: v for k, v in data.items() if k != "person"}
    check_dates(data.get("start", absence.start), data.get("end", absence.end))
    absence = versioned_update(instance=absence, data=data, actor=actor, expected_version=expected_version)
    _touch_person(absence.person_id)
    return absence


@transaction.atomic
def absence_delete(*, actor, absence: Absence, expected_version: int | None = None) -> None:
    versioned_delete(instance=absence, actor=actor, expected_version=expected_version)
    _touch_person(absence.person_id)


# -- staffing requests -----------------------------------------------------------------------------


def staffing_request_recompute(request: StaffingRequest) -> str:
    """Store the status of `request` from the allocations that fill it: filled when they supply
    at least the hours it asks for inside its dates, partially filled when some, open when none
    (absences are not counted: this is the plan). A cancelled request stays cancelled. Two
    queries."""
    if request.status == StaffingRequest.Status.CANCELLED:
        return request.status
    demand = capacity.request_hours(
        start=request.start, end=request.end, fte_percent=request.fte_percent, hours_per_week=request.hours_per_week
    )
    supplied = sum(
        (
            capacity.booked_hours(
                _booking(a),
                weekly_capacity=a.person.weekly_capacity_hours,
                first=request.start,
                last=request.end,
                absent=set(),
            )
            for a in Allocation.objects.filter(request=request).select_related("person")
        ),
        capacity.ZERO,
    )
    if demand and supplied >= demand:
        status = StaffingRequest.Status.FILLED
    elif supplied > 0:
        status = StaffingRequest.Status.PARTIALLY_FILLED
    else:
        status = StaffingRequest.Status.OPEN
    if status != request.status:
        StaffingRequest.objects.filter(pk=request.pk).update(status=status)
        request.status = status
    return status


def _booking(a) -> capacity.Booking:
    return capacity.Booking(
        key=a.pk or 0, start=a.start, end=a.end, fte_percent=a.fte_percent, hours_per_week=a.hours_per_week
    )


@transaction.atomic
def staffing_request_create(
    *,
    actor,
    project: Project,
    role: Role,
    start: dt.date,
    end: dt.date,
    fte_percent: Decimal | None = None,
    hours_per_week: Decimal | None = None,
    notes: str = "",
) -> StaffingRequest:
    """Ask for `role` on `project` over [start, end] (FTE of a 40-hour week, or hours)."""
    check_dates(start, end)
    check_amount(fte_percent, hours_per_week)
    _check_role(role, project.program.portfolio_id)
    request = StaffingRequest(
        project=project,
        role=role,
        start=start,
        end=end,
        fte_percent=fte_percent,
        hours_per_week=hours_per_week,
        notes=notes,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    create_audited(
        actor=actor, obj=request, fields=["project", "role", "start", "end", "fte_percent", "hours_per_week"]
    )
    inputs_changed(projects=[project])
    return request


@transaction.atomic
def staffing_request_update(
    *, actor, staffing_request: StaffingRequest, data: dict[str, Any], expected_version: int | None = None
) -> StaffingRequest:
    """Change a request's dates, amount, role or notes (the project is fixed); the status is
    recomputed. Giving only one amount switches to it (the other becomes None), as for
    allocations."""
    data = {k: v for k, v in data.items() if k not in ("project", "status", "requested_by")}
    _switch_amount(data)
    merged = {name: data.get(name, getattr(staffing_request, name)) for name in ("start", "end", *_AMOUNT_FIELDS)}
    check_dates(merged["start"], merged["end"])
    if any(name in data for name in _AMOUNT_FIELDS):
        check_amount(merged["fte_percent"], merged["hours_per_week"])
    if "role" in data:
        _check_role(data["role"], staffing_request.project.program.portfolio_id)
    updated = versioned_update(instance=staffing_request, data=data, actor=actor, expected_version=expected_version)
    staffing_request_recompute(updated)
    inputs_changed(projects=[updated.project_id])
    return updated


@transaction.atomic
def staffing_request_cancel(
    *, actor, staffing_request: StaffingRequest, expected_version: int | None = None
) -> StaffingRequest:
    """Cancel a request: it no longer counts as demand or as a gap. Allocations filling it
    stay, still linked, for the record."""
    if staffing_request.status == StaffingRequest.Status.CANCELLED:
        raise ValidationError({"status": ALREADY_CANCELLED})
    cancelled = versioned_update(
        instance=staffing_request,
        data={"status": StaffingRequest.Status.CANCELLED},
        actor=actor,
        expected_version=expected_version,
    )
    inputs_changed(projects=[cancelled.project_id])
    return cancelled


@transaction.atomic
def staffing_request_delete(*, actor, staffing_request: StaffingRequest, expected_version: int | None = None) -> None:
    """Delete a mistaken request (its allocations stay, unlinked)."""
    versioned_delete(instance=staffing_request, actor=actor, expected_version=expected_version)
    inputs_changed(projects=[staffing_request.project_id])


# -- allocations -----------------------------------------------------------------------------------


def _check_allocation(*, person: Person, project: Project, role: Role, request: StaffingRequest | None) -> None:
    portfolio_id = project.program.portfolio_id
    if person.portfolio_id != portfolio_id:
        raise ValidationError({"person": PERSON_OTHER_POOL})
    _check_role(role, portfolio_id)
    if request is not None:
        if request.project_id != project.pk or request.role_id != role.pk:
            raise ValidationError({"request": REQUEST_MISMATCH})
        if request.status == StaffingRequest.Status.CANCELLED:
            raise ValidationError({"request": REQUEST_CANCELLED})


@transaction.atomic
def allocation_create(
    *,
    actor,
    person: Person,
    project: Project,
    role: Role,
    start: dt.date,
    end: dt.date,
    fte_percent: Decimal | None = None,
    hours_per_week: Decimal | None = None,
    request: StaffingRequest | None = None,
    notes: str = "",
) -> Allocation:
    """Book `person` on `project` in `role` over [start, end]. Over-allocation is allowed (it is
    reported as a conflict, as resource tools do), a person from another pool is not."""
    check_dates(start, end)
    check_amount(fte_percent, hours_per_week)
    if not person.is_active:
        raise ValidationError({"person": PERSON_INACTIVE})
    _check_allocation(person=person, project=project, role=role, request=request)
    allocation = Allocation(
        person=person,
        project=project,
        role=role,
        start=start,
        end=end,
        fte_percent=fte_percent,
        hours_per_week=hours_per_week,
        request=request,
        notes=notes,
    )
    create_audited(
        actor=actor,
        obj=allocation,
        fields=["person", "project", "role", "start", "end", "fte_percent", "hours_per_week", "request"],
    )
    if request is not None:
        staffing_request_recompute(request)
    # Its project's staffing, and the person's other projects (over-allocation is per person).
    inputs_changed(projects=[project])
    _touch_person(person.pk)
    return allocation


@transaction.atomic
def allocation_update(
    *, actor, allocation: Allocation, data: dict[str, Any], expected_version: int | None = None
) -> Allocation:
    """Change an allocation (its project is fixed). Give both amount fields to switch between
    FTE and hours (one of them None)."""
    data = {k: v for k, v in data.items() if k != "project"}
    merged = {
        name: data.get(name, getattr(allocation, name))
        for name in ("person", "role", "request", "start", "end", *_AMOUNT_FIELDS)
    }
    _switch_amount(data)
    merged.update({name: data[name] for name in _AMOUNT_FIELDS if name in data})
    check_dates(merged["start"], merged["end"])
    check_amount(merged["fte_percent"], merged["hours_per_week"])
    _check_allocation(
        person=merged["person"], project=allocation.project, role=merged["role"], request=merged["request"]
    )
    before, person_before = allocation.request, allocation.person_id
    updated = versioned_update(instance=allocation, data=data, actor=actor, expected_version=expected_version)
    for request in {r.pk: r for r in (before, updated.request) if r is not None}.values():
        request.refresh_from_db()
        staffing_request_recompute(request)
    inputs_changed(projects=[updated.project_id])
    _touch_person(updated.person_id)
    if person_before != updated.person_id:
        _touch_person(person_before)
    return updated


@transaction.atomic
def allocation_delete(*, actor, allocation: Allocation, expected_version: int | None = None) -> None:
    request = allocation.request
    versioned_delete(instance=allocation, actor=actor, expected_version=expected_version)
    if request is not None:
        request.refresh_from_db()
        staffing_request_recompute(request)
    inputs_changed(projects=[allocation.project_id])
    _touch_person(allocation.person_id)


__all__ = [
    "absence_create",
    "absence_delete",
    "absence_update",
    "allocation_create",
    "allocation_delete",
    "allocation_update",
    "cost_rate_delete",
    "cost_rate_set",
    "cost_rate_update",
    "person_create",
    "person_update",
    "role_create",
    "role_update",
    "staffing_request_cancel",
    "staffing_request_create",
    "staffing_request_delete",
    "staffing_request_recompute",
    "staffing_request_update",
]
