"""What the money views share: finding the owner the user may see or edit, the as-of date,
formatting the EVM table, and answering htmx and plain requests alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.dateparse import parse_date

from core import bounds
from core.templatetags.keel_tags import money, percent
from portfolio.models import Program
from portfolio.querysets import memberships_of, sees_everything
from portfolio.roles import PROGRAM_FINANCE_EDITORS, REFERENCE_DATA_EDITORS
from projects.models import Project

from .. import evm
from ..exports import evm_measures
from ..querysets import finance_programs, finance_projects

BAD_AS_OF = "“{value}” is not a date between 1900 and 2999 (use YYYY-MM-DD); showing the default instead."
NOT_DEFINED = "n/a"


# -- access: every view starts here -------------------------------------------------------------


def visible_project(request, code: str) -> Project:
    """The project `code` if the user may see it (404 otherwise)."""
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("program__portfolio"), code=code)


def finance_project(request, code: str) -> Project:
    """The project `code` if the user may edit its money (404 otherwise, even for readers)."""
    return get_object_or_404(finance_projects(request.user).select_related("program__portfolio"), code=code)


def visible_program(request, code: str) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)


def overseen_program(request, code: str) -> Program:
    """A program the user sees whole (see ProgramQuerySet.overseen_by), else 404."""
    return get_object_or_404(Program.objects.overseen_by(request.user).select_related("portfolio"), code=code)


def finance_program(request, code: str) -> Program:
    return get_object_or_404(finance_programs(request.user).select_related("portfolio"), code=code)


def may_edit_project_money(user, project: Project) -> bool:
    return finance_projects(user).filter(pk=project.pk).exists()


def may_edit_program_money(user, program: Program) -> bool:
    return finance_programs(user).filter(pk=program.pk).exists()


def may_manage_vendors(user) -> bool:
    """May `user` add and edit vendors? The rule of Vendor.objects.editable_by, asked without a
    vendor row (so it also answers on an empty register)."""
    if not user.is_authenticated:
        return False
    return sees_everything(user) or memberships_of(user, PROGRAM_FINANCE_EDITORS).filter(project__isnull=True).exists()


def may_edit_reference_data(user) -> bool:
    """The rule of ReferenceDataQuerySet.editable_by (currencies, rates), asked without a row."""
    if not user.is_authenticated:
        return False
    return (
        sees_everything(user) or memberships_of(user, REFERENCE_DATA_EDITORS).filter(portfolio__isnull=False).exists()
    )


# -- the as-of date -------------------------------------------------------------------------------


def as_of_from(request) -> tuple[dt.date | None, str]:
    """`?as_of=YYYY-MM-DD`: the date, or None (the selectors' default) and a message when the
    value is not a date."""
    value = request.GET.get("as_of", "").strip()
    if not value:
        return None, ""
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None or not bounds.date_in_range(day):
        return None, BAD_AS_OF.format(value=value)
    return day, ""


# -- presenting figures --------------------------------------------------------------------------


def display(value, kind: str, currency: str = "") -> str:
    """A figure as the tables show it; "n/a" where it is not defined."""
    if value is None:
        return NOT_DEFINED
    if value == 0 and kind != "date":
        value = abs(value)  # no "-0.00" from a negative zero
    if kind == "money":
        return money(value, currency)
    if kind == "index":
        rounded = evm.rounded(value, 3)
        return f"{abs(rounded) if rounded == 0 else rounded}"
    if kind == "percent":
        return percent(value)
    if kind == "days":
        return f"{evm.rounded(Decimal(value), 1)} d"
    if kind == "date":
        return f"{value:%d %b %Y}"
    return str(value)


def evm_rows(report) -> list[dict]:
    """The EVM table of an EvmReport, formatted: key, label, text, and whether it is defined."""
    return [
        {
            "key": m.key,
            "label": m.label,
            "text": display(m.value, m.kind, report.currency),
            "defined": m.value is not None,
            "negative": m.kind in ("money", "days") and m.value is not None and m.value < 0,
        }
        for m in evm_measures(report.figures)
    ]


# -- answering -----------------------------------------------------------------------------------


def done(request, url: str, notice: str):
    """After a successful plain-form write: a message and a redirect."""
    messages.success(request, notice)
    return redirect(url)


def refused(request, url: str, text: str):
    """A download or action that cannot be done: the reason as an error message, back to `url`."""
    messages.error(request, text)
    return redirect(url)


def error_text(error) -> str:
    return " ".join(error.messages)
