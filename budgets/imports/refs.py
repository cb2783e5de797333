"""Resolving the codes an import names — projects, categories, currencies — in bulk, within
what the importing user may see and edit. `actor=None` is the system (a management command):
it sees and edits everything."""

from __future__ import annotations

from typing import NamedTuple

from projects.models import Project

from ..models import CostCategory, Currency
from ..querysets import finance_projects
from .engine import Lookup

UNKNOWN_PROJECT = "no project you can see has the code {value}"
PROJECT_NOT_EDITABLE = "you may not change the money of project {code} (it needs a finance role on the project)"
UNKNOWN_CATEGORY = "no cost category has the code {value}"
UNKNOWN_CURRENCY = "{value} is not a currency Keel knows; add it first"


class ProjectRef(NamedTuple):
    pk: int
    code: str
    program_id: int
    portfolio_id: int
    base_currency: str
    editable: bool


def project_lookup(actor) -> Lookup:
    """Project code → ProjectRef; codes of projects the actor cannot see resolve to None, like
    codes that do not exist, so an import reveals nothing about other people's projects."""

    def load(codes: set[str]) -> dict[str, ProjectRef]:
        visible = Project.objects.all() if actor is None else Project.objects.visible_to(actor)
        rows = visible.filter(code__in=codes).values_list(
            "code", "pk", "program_id", "program__portfolio_id", "program__portfolio__base_currency"
        )
        editable = None
        if actor is not None:
            editable = set(finance_projects(actor).filter(code__in=codes).values_list("code", flat=True))
        return {
            code: ProjectRef(pk, code, program_id, portfolio_id, currency, editable is None or code in editable)
            for code, pk, program_id, portfolio_id, currency in rows
        }

    return Lookup(load)


def category_lookup() -> Lookup:
    """Category code → id (categories are shared reference data: everyone signed in sees them)."""
    return Lookup(lambda codes: dict(CostCategory.objects.filter(code__in=codes).values_list("code", "pk")))


def currency_lookup() -> Lookup:
    """Currency code → the code, for the currencies Keel knows."""
    return Lookup(lambda codes: {c: c for c in Currency.objects.filter(code__in=codes).values_list("code", flat=True)})


def code(value: str) -> str:
    """Project, category and currency codes are upper case; a file may not be."""
    return value.strip().upper()
