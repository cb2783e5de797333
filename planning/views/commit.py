"""Committing a scenario: a confirmation page that lists every change the commit makes to the live
portfolio (approvals, holds, moved starts with their new finish, budget change requests, staffing
requests), nothing pre-selected, a ticked box and the scenario's name typed; then one POST to
planning.services.scenario_commit, all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from core.services import StaleVersionError
from core.views import refused_status

from ..forms import CommitConfirmForm
from ..selectors.pages import commit_groups
from ..services.commit import scenario_commit, scenario_commit_preview
from ._common import can_edit, editable_scenario

COMMITTED = "“{name}” is committed: {count} project{s} changed in the live portfolio."
CHANGED_SINCE = "The scenario changed since this page was opened; check the changes again."


@login_required
def commit(request, pk: int):
    scenario = editable_scenario(request, pk)
    preview = scenario_commit_preview(scenario)
    form = CommitConfirmForm(request.POST or None, scenario_name=scenario.name, initial={"version": preview.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scenario_commit(
                    actor=request.user,
                    scenario=scenario,
                    expected_version=form.cleaned_data["version"],
                    confirm=form.cleaned_data["confirm"],
                )
            except StaleVersionError:
                form.add_error(None, CHANGED_SINCE)
                status = 409
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
                status = 409 if not scenario.is_editable else refused_status(request)
            else:
                count = len(preview.changes)
                messages.success(
                    request, COMMITTED.format(name=scenario.name, count=count, s="" if count == 1 else "s")
                )
                return redirect("planning:scenario-detail", scenario.pk)
        else:
            status = refused_status(request)
        if status == 409:
            # Show what a commit would change now, and ask again at the current version.
            preview = scenario_commit_preview(scenario)
            form.data = form.data.copy()
            form.data["version"] = preview.version
    context = {
        "scenario": scenario,
        "preview": preview,
        "groups": commit_groups(preview),
        "form": form,
        "can_edit": can_edit(request.user, scenario),
        "currency": scenario.portfolio.base_currency,
    }
    return render(request, "planning/commit_confirm.html", context, status=status)
