"""A project's governance: the phase stepper and gates (prepare, tick, decide) and its change
requests (draft, lines, submit, withdraw, approve, reject).

Reading needs the project visible (404 otherwise). Preparing gates and drafting changes needs
PROJECT_EDITORS; deciding needs GATE_APPROVERS / CHANGE_APPROVERS (403 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.views import refused_status
from projects.models import Project

from .. import services
from ..forms import (
    ChangeRequestEditForm,
    ChangeRequestForm,
    ChangeRequestLineForm,
    DecisionNotesForm,
    GateCriterionForm,
    GateDecideForm,
    StageGateEditForm,
    StageGateForm,
)
from ..models import ChangeRequest, GateCriterion, StageGate
from ..selectors import project_governance
from ..selectors.pages import may_decide
from ._common import done, next_url, refused, require_decide, require_prepare, visible_project

GATE_CREATED = "Gate “{name}” prepared."
GATE_SAVED = "Gate “{name}” saved."
GATE_DECIDED = "Gate “{name}” {decision}."
CRITERION_ADDED = "Criterion added."
CR_CREATED = "{reference} drafted."
CR_SAVED = "{reference} saved."
CR_MOVED = "{reference} {status}."
LINE_ADDED = "Budget line added to {reference}."
LINE_REMOVED = "Budget line removed from {reference}."


def _gates_url(project) -> str:
    return reverse("governance:project-governance", args=[project.code])


@login_required
def project_governance_page(request, code: str):
    project = visible_project(request, code)
    page = project_governance(project=project, user=request.user)
    return render(
        request,
        "governance/project_governance.html",
        {"project": project, "page": page, "decide_form": GateDecideForm(), "criterion_form": GateCriterionForm()},
    )


# -- gates ----------------------------------------------------------------------------------------


def _gate(project, pk: int) -> StageGate:
    return get_object_or_404(
        StageGate.objects.filter(project=project)
        .select_related("decided_by")
        .prefetch_related(Prefetch("criteria", queryset=GateCriterion.objects.select_related("checked_by"))),
        pk=pk,
    )


@login_required
def gate_detail(request, code: str, pk: int):
    project = visible_project(request, code)
    gate = _gate(project, pk)
    context = {
        "project": project,
        "gate": gate,
        "may_prepare": _may_prepare(request, project),
        "may_decide": may_decide(user=request.user, program=project.program),
        "decide_form": GateDecideForm(),
        "criterion_form": GateCriterionForm(),
    }
    return render(request, "governance/gate_detail.html", context)


def _may_prepare(request, project) -> bool:
    return Project.objects.editable_by(request.user).filter(pk=project.pk).exists()


@login_required
def gate_create(request, code: str):
    project = visible_project(request, code)
    require_prepare(request, project)
    form = StageGateForm(request.POST or None, project=project)
    if form.is_bound and form.is_valid():
        try:
            gate = services.stage_gate_create(
                actor=request.user,
                project=project,
                to_phase=form.cleaned_data["to_phase"],
                name=form.cleaned_data["name"],
                planned_date=form.cleaned_data["planned_date"],
                decision_notes=form.cleaned_data["decision_notes"],
                criteria=form.criteria_list(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(
                request, reverse("governance:gate-detail", args=[code, gate.pk]), GATE_CREATED.format(name=gate.name)
            )
    return render(request, "governance/gate_form.html", {"project": project, "form": form})


@login_required
def gate_edit(request, code: str, pk: int):
    project = visible_project(request, code)
    require_prepare(request, project)
    gate = _gate(project, pk)
    form = StageGateEditForm(request.POST or None, instance=gate)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("name", "planned_date", "decision_notes")}
        saved = form.save_with(
            lambda version: services.stage_gate_update(
                actor=request.user, gate=gate, data=data, expected_version=version
            )
        )
        if saved is not None:
            return done(request, reverse("governance:gate-detail", args=[code, pk]), GATE_SAVED.format(name=gate.name))
    status = 409 if form.stale else 200
    gate.refresh_from_db(fields=["name"])
    return render(request, "governance/gate_form.html", {"project": project, "gate": gate, "form": form}, status=status)


@require_POST
@login_required
def gate_decide(request, code: str, pk: int):
    """Two steps, both server-side: the chosen decision (no `confirm`) answers the confirmation
    page saying what it will do; the confirmed one records it. Nothing is pre-chosen."""
    project = visible_project(request, code)
    gate = _gate(project, pk)
    require_decide(request, project.program)
    url = next_url(request, reverse("governance:gate-detail", args=[code, pk]))
    form = GateDecideForm(request.POST)
    if not form.is_valid():
        return refused(request, url, ValidationError(next(iter(form.errors.values()))))
    decision, notes = form.cleaned_data["decision"], form.cleaned_data["notes"]
    try:
        if not form.cleaned_data["confirm"]:
            preview = services.stage_gate_decision_preview(gate=gate, decision=decision, notes=notes)
            context = {"project": project, "gate": gate, "preview": preview, "back": url}
            return render(request, "governance/gate_decide_confirm.html", context)
        gate = services.stage_gate_decide(actor=request.user, gate=gate, decision=decision, notes=notes)
    except ValidationError as error:
        return refused(request, url, error)
    return done(request, url, GATE_DECIDED.format(name=gate.name, decision=gate.get_decision_display().lower()))


@require_POST
@login_required
def criterion_add(request, code: str, pk: int):
    project = visible_project(request, code)
    require_prepare(request, project)
    gate = _gate(project, pk)
    url = next_url(request, reverse("governance:gate-detail", args=[code, pk]))
    form = GateCriterionForm(request.POST)
    if not form.is_valid():
        return refused(request, url, ValidationError(next(iter(form.errors.values()))))
    try:
        services.gate_criterion_create(actor=request.user, gate=gate, text=form.cleaned_data["text"])
    except ValidationError as error:
        return refused(request, url, error)
    return done(request, url, CRITERION_ADDED)


@require_POST
@login_required
def criterion_tick(request, code: str, pk: int):
    """Tick or untick a criterion (`met` = "1" or absent, optional `evidence`). An htmx request
    gets the criterion's row back; a plain one a redirect."""
    project = visible_project(request, code)
    criterion = get_object_or_404(GateCriterion.objects.filter(gate__project=project).select_related("gate"), pk=pk)
    require_prepare(request, project)
    evidence = request.POST.get("evidence")
    error_text = ""
    try:
        criterion = services.gate_criterion_tick(
            actor=request.user, criterion=criterion, met=request.POST.get("met") == "1", evidence=evidence
        )
    except ValidationError as error:
        error_text = " ".join(error.messages)
        criterion.refresh_from_db()
    if request.htmx:
        context = {"project": project, "gate": criterion.gate, "c": criterion, "may_prepare": True, "error": error_text}
        return render(
            request,
            "governance/_criterion_row.html",
            context,
            status=refused_status(request) if error_text else 200,
        )
    url = reverse("governance:gate-detail", args=[code, criterion.gate_id])
    if error_text:
        return refused(request, url, ValidationError(error_text))
    return done(request, url, "Criterion updated.")


# -- change requests ------------------------------------------------------------------------------


def _change_request(project, pk: int) -> ChangeRequest:
    return get_object_or_404(
        ChangeRequest.objects.filter(project=project).select_related("requested_by", "decided_by", "baseline"), pk=pk
    )


@login_required
def change_request_detail(request, code: str, pk: int):
    project = visible_project(request, code)
    cr = _change_request(project, pk)
    may_prepare = _may_prepare(request, project)
    context = {
        "project": project,
        "cr": cr,
        "lines": list(cr.lines.select_related("category", "period").order_by("period__start", "category__code")),
        "decisions": list(cr.decisions.order_by("-pk")),
        "may_prepare": may_prepare,
        "may_decide": may_decide(user=request.user, program=project.program),
        "line_form": ChangeRequestLineForm(project=project) if may_prepare and cr.is_draft else None,
        "notes_form": DecisionNotesForm(),
    }
    return render(request, "governance/change_request_detail.html", context)


@login_required
def change_request_create(request, code: str):
    project = visible_project(request, code)
    require_prepare(request, project)
    form = ChangeRequestForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            cr = services.change_request_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            url = reverse("governance:change-request-detail", args=[code, cr.pk])
            return done(request, url, CR_CREATED.format(reference=cr.reference))
    return render(request, "governance/change_request_form.html", {"project": project, "form": form})


@login_required
def change_request_edit(request, code: str, pk: int):
    project = visible_project(request, code)
    require_prepare(request, project)
    cr = _change_request(project, pk)
    form = ChangeRequestEditForm(request.POST or None, instance=cr)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ChangeRequestForm.Meta.fields}
        saved = form.save_with(
            lambda version: services.change_request_update(
                actor=request.user, change_request=cr, data=data, expected_version=version
            )
        )
        if saved is not None:
            url = reverse("governance:change-request-detail", args=[code, pk])
            return done(request, url, CR_SAVED.format(reference=cr.reference))
    status = 409 if form.stale else 200
    cr.refresh_from_db(fields=["title"])
    context = {"project": project, "cr": cr, "form": form}
    return render(request, "governance/change_request_form.html", context, status=status)


@require_POST
@login_required
def change_request_line_add(request, code: str, pk: int):
    project = visible_project(request, code)
    require_prepare(request, project)
    cr = _change_request(project, pk)
    url = reverse("governance:change-request-detail", args=[code, pk])
    form = ChangeRequestLineForm(request.POST, project=project)
    if not form.is_valid():
        return refused(request, url, ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()]))
    try:
        services.change_request_line_create(actor=request.user, change_request=cr, **form.cleaned_data)
    except ValidationError as error:
        return refused(request, url, error)
    return done(request, url, LINE_ADDED.format(reference=cr.reference))


@require_POST
@login_required
def change_request_line_delete(request, code: str, pk: int, line_pk: int):
    project = visible_project(request, code)
    require_prepare(request, project)
    cr = _change_request(project, pk)
    line = get_object_or_404(cr.lines.all(), pk=line_pk)
    url = reverse("governance:change-request-detail", args=[code, pk])
    try:
        services.change_request_line_delete(actor=request.user, line=line)
    except ValidationError as error:
        return refused(request, url, error)
    return done(request, url, LINE_REMOVED.format(reference=cr.reference))


ACTIONS = {
    "submit": (services.change_request_submit, False),
    "withdraw": (services.change_request_withdraw, False),
    "approve": (services.change_request_approve, True),
    "reject": (services.change_request_reject, True),
}


@require_POST
@login_required
def change_request_action(request, code: str, pk: int, action: str):
    """submit / withdraw (the project team) or approve / reject (the program manager)."""
    project = visible_project(request, code)
    cr = _change_request(project, pk)
    if action not in ACTIONS:
        raise Http404
    service, deciding = ACTIONS[action]
    if deciding:
        require_decide(request, project.program)
    else:
        require_prepare(request, project)
    url = next_url(request, reverse("governance:change-request-detail", args=[code, pk]))
    kwargs = {"notes": request.POST.get("notes", "")} if deciding else {}
    try:
        cr = service(actor=request.user, change_request=cr, **kwargs)
    except ValidationError as error:
        return refused(request, url, error)
    return done(request, url, CR_MOVED.format(reference=cr.reference, status=cr.get_status_display().lower()))
