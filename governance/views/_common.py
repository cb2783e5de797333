"""What the governance views share: finding the project or program (404 when invisible, 403 when
visible but not editable), and answering htmx and plain requests alike."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from portfolio.models import Program
from projects.models import Project

from ..selectors.pages import may_decide

MAY_NOT_PREPARE = "You need the project manager role on this project (or a manager role above it)."
MAY_NOT_DECIDE = "Gates and change requests are decided by the program manager (or a portfolio admin)."
MAY_NOT_EDIT_PROGRAM = "You need the program manager role on this program (or portfolio admin on its portfolio)."


def visible_project(request, code: str) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("program__portfolio", "manager"), code=code
    )


def require_prepare(request, project: Project) -> None:
    if not Project.objects.editable_by(request.user).filter(pk=project.pk).exists():
        raise PermissionDenied(MAY_NOT_PREPARE)


def require_decide(request, program: Program) -> None:
    if not may_decide(user=request.user, program=program):
        raise PermissionDenied(MAY_NOT_DECIDE)


def visible_program(request, code: str) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)


def require_program_edit(request, program: Program) -> None:
    if not Program.objects.editable_by(request.user).filter(pk=program.pk).exists():
        raise PermissionDenied(MAY_NOT_EDIT_PROGRAM)


def done(request, url: str, notice: str):
    messages.success(request, notice)
    return redirect(url)


def refused(request, url: str, error) -> object:
    messages.error(request, " ".join(error.messages))
    return redirect(url)


def next_url(request, default: str) -> str:
    """Where to go back to after an action posted from another page (same site only)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    value = request.POST.get("next", "")
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return default
