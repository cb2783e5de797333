"""What the risk views share: finding the scope the user may see or edit, and answering."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.safestring import mark_safe

from portfolio.models import Portfolio, Program
from projects.models import Project

from .. import charts
from ..querysets import risk_programs, risk_projects

READ_ONLY = "You may read these risks but not change them."


def visible_project(request, code: str) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("program__portfolio"), code=code)


def visible_program(request, code: str) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)


def visible_portfolio(request, code: str) -> Portfolio:
    return get_object_or_404(Portfolio.objects.visible_to(request.user), code=code)


def may_edit_project_risks(user, project: Project) -> bool:
    return risk_projects(user).filter(pk=project.pk).exists()


def may_edit_program_risks(user, program: Program) -> bool:
    return risk_programs(user).filter(pk=program.pk).exists()


def require(allowed: bool) -> None:
    """403 for someone who may see but not change (those who cannot see got 404 already)."""
    if not allowed:
        raise PermissionDenied(READ_ONLY)


def done(request, url: str, notice: str):
    messages.success(request, notice)
    return redirect(url)


def linked(exposure, link: str):
    """`exposure` with each project or program row linking to its register (`link`: "project"
    or "program")."""
    name = f"risks:{link}-register"
    rows = tuple(
        replace(row, href=reverse(name, args=[row.key])) if row.key not in ("program", "total") else row
        for row in exposure.rows
    )
    return replace(exposure, rows=rows)


def exposure_svg(exposure, *, title: str):
    return mark_safe(charts.exposure_chart(exposure.rows, exposure.currency, title=title))  # noqa: S308 - escaped


def heat_map_links(heat, base_url: str, extra: str = "", *, statuses: bool = True) -> list[list[dict]]:
    """The heat map's cells with the register URL each links to (active risks in that cell;
    without `statuses` the page at `base_url` keeps to the active risks itself)."""
    p, i = ("residual_probability", "residual_impact") if heat.residual else ("probability", "impact")
    status = "status=open&status=mitigating&" if statuses else ""
    return [
        [
            {
                "cell": cell,
                "href": f"{base_url}?{extra}{status}{p}={cell.probability}&{i}={cell.impact}",
            }
            for cell in row
        ]
        for row in heat.rows
    ]
