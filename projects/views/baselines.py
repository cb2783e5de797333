"""The confirmation step of a program manager's overwrite of an approved baseline: a page saying
what changes (tasks that move, the finish and its variance before and after), nothing ticked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from ..forms import BaselineOverwriteForm
from ..selectors import project_page
from ..selectors.baselines import baseline_overwrite_preview, may_overwrite_approved_plan
from ..services.schedule import BASELINE_OVERWRITE_DENIED, baseline_set

BASELINE_OVERWRITTEN = "{name} replaced by today's schedule ({count} tasks); the change is in the audit log."


def client_redirect(request, url: str):
    """Leave the page: HX-Redirect for an htmx request (which would otherwise swap the page into
    its target), a 302 otherwise."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
def baseline_overwrite(request, code: str, number: int):
    project = get_object_or_404(project_page(user=request.user), code=code)
    if not may_overwrite_approved_plan(user=request.user, project=project):
        raise PermissionDenied(BASELINE_OVERWRITE_DENIED)
    preview = baseline_overwrite_preview(project=project, number=number)
    if preview is None:
        raise Http404("No approved baseline with this number.")
    schedule_url = reverse("projects:schedule", args=[project.code]) + f"?baseline={number}"
    if request.method == "POST":
        form = BaselineOverwriteForm(request.POST)
        if form.is_valid():
            try:
                baseline = baseline_set(
                    actor=request.user,
                    project=project,
                    number=number,
                    name=form.cleaned_data["name"],
                    overwrite_approved=True,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, BASELINE_OVERWRITTEN.format(name=baseline.name, count=baseline.tasks.count()))
                return redirect(schedule_url)
    else:
        form = BaselineOverwriteForm(initial={"name": request.GET.get("name", "")[:200]})
    context = {"project": project, "preview": preview, "form": form, "schedule_url": schedule_url}
    return render(request, "projects/baseline_overwrite.html", context, status=200 if not form.errors else 422)


__all__ = ["baseline_overwrite", "client_redirect"]
