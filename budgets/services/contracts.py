"""Writes for vendors, contracts, their security checklists and invoices."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, versioned_update
from portfolio.models import Program
from projects.models import Project

from ..models import Contract, ContractSecurityRequirement, CostCategory, CostEntry, Vendor
from ._common import create_audited, currency_or_base, update_audited
from .money import cost_entry_create

CONTRACT_PROJECT_OTHER_PROGRAM = "A contract can only serve projects of its own program."
INVOICE_PROJECT_NOT_LINKED = "This contract does not serve that project; link the project to the contract first."


@transaction.atomic
def vendor_create(*, actor, name: str, risk_rating: str = Vendor.RiskRating.LOW, notes: str = "") -> Vendor:
    return create_audited(
        actor=actor, obj=Vendor(name=name, risk_rating=risk_rating, notes=notes), fields=["name", "risk_rating"]
    )


def vendor_update(*, actor, vendor: Vendor, data: dict[str, Any], expected_version: int | None = None) -> Vendor:
    return versioned_update(instance=vendor, data=data, actor=actor, expected_version=expected_version)


def _check_projects(program_id: int, projects: Iterable[Project]) -> list[Project]:
    projects = list(projects)
    if any(p.program_id != program_id for p in projects):
        raise ValidationError({"projects": CONTRACT_PROJECT_OTHER_PROGRAM})
    return projects


@transaction.atomic
def contract_create(
    *,
    actor,
    program: Program,
    vendor: Vendor,
    number: str,
    title: str,
    type: str,
    ceiling: Decimal,
    period_start: dt.date,
    period_end: dt.date,
    obligated: Decimal = Decimal("0"),
    currency=None,
    projects: Iterable[Project] = (),
    notes: str = "",
) -> Contract:
    """A contract of `program` with `vendor`, serving `projects` (all of that program)."""
    projects = _check_projects(program.pk, projects)
    contract = Contract(
        program=program,
        vendor=vendor,
        number=number,
        title=title,
        type=type,
        ceiling=ceiling,
        obligated=obligated,
        currency=currency_or_base(currency, program.portfolio),
        period_start=period_start,
        period_end=period_end,
        notes=notes,
    )
    create_audited(
        actor=actor,
        obj=contract,
        fields=[
            "program",
            "vendor",
            "number",
            "type",
            "ceiling",
            "obligated",
            "currency",
            "period_start",
            "period_end",
        ],
    )
    if projects:
        contract.projects.set(projects)
    inputs_changed(programs=[contract.program_id])  # the program's commitments
    return contract


@transaction.atomic
def contract_update(
    *, actor, contract: Contract, data: dict[str, Any], expected_version: int | None = None
) -> Contract:
    """Change a contract's fields (obligations, ceiling, dates …) under optimistic concurrency.
    Linked projects change through contract_projects_set."""
    if "program" in data and data["program"].pk != contract.program_id and contract.projects.exists():
        raise ValidationError({"program": CONTRACT_PROJECT_OTHER_PROGRAM})
    before = contract.program_id
    contract = versioned_update(instance=contract, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(programs={before, contract.program_id})
    return contract


@transaction.atomic
def contract_projects_set(*, actor, contract: Contract, projects: Iterable[Project]) -> Contract:
    projects = _check_projects(contract.program_id, projects)
    before = sorted(contract.projects.values_list("pk", flat=True))
    contract.projects.set(projects)
    after = sorted(p.pk for p in projects)
    if before != after:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=contract,
            changes={"projects": [",".join(map(str, before)), ",".join(map(str, after))]},
        )
        inputs_changed(projects={*before, *after}, programs=[contract.program_id])
    return contract


@transaction.atomic
def contract_security_requirement_set(
    *, actor, contract: Contract, requirement: str, status: str, notes: str = ""
) -> ContractSecurityRequirement:
    """Add a requirement to the contract's information-security checklist, or update its status."""
    found = ContractSecurityRequirement.objects.filter(contract=contract, requirement=requirement).first()
    if found is None:
        return create_audited(
            actor=actor,
            obj=ContractSecurityRequirement(contract=contract, requirement=requirement, status=status, notes=notes),
            fields=["contract", "requirement", "status"],
        )
    return update_audited(actor=actor, obj=found, data={"status": status, "notes": notes})


@transaction.atomic
def invoice_record(
    *,
    actor,
    contract: Contract,
    project: Project,
    category: CostCategory,
    date: dt.date,
    amount: Decimal,
    external_ref: str,
    currency=None,
    description: str = "",
) -> CostEntry:
    """An invoice against `contract` for work on `project`: an actual cost (source INVOICE),
    in the contract's currency unless given. `external_ref` (the invoice number) is unique
    among invoices, so recording the same invoice twice is refused."""
    if not contract.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": INVOICE_PROJECT_NOT_LINKED})
    return cost_entry_create(
        actor=actor,
        project=project,
        category=category,
        date=date,
        amount=amount,
        currency=currency or contract.currency,
        source=CostEntry.Source.INVOICE,
        external_ref=external_ref,
        vendor=contract.vendor,
        contract=contract,
        description=description,
    )
