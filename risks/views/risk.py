"""One risk: its page (all fields, score trend, mitigation actions with inline add and edit,
linked tasks, issue, escalate / de-escalate and realise forms), the create and edit forms, and
the issue forms.

Writes need Risk.objects.editable_by (project editors for project risks, program editors for
program risks); de-escalating needs a program editor. Someone who cannot see the risk gets
404; someone who can see but not change it, 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.services import StaleVersionError

from .. import charts, selectors, services
from ..forms import EscalateForm, IssueForm, MitigationActionForm, RealiseForm, RiskForm
from ..models import Issue, MitigationAction, Risk
from ._common import (
    done,
    may_edit_program_risks,
    may_edit_project_risks,
    require,
    visible_program,
    visible_project,
)

RISK_ADDED = "Risk {reference} added."
RISK_SAVED = "Risk {reference} saved."
RISK_ESCALATED = "Risk {reference} is now on the {program} program register."
RISK_DEESCALATED = "Risk {reference} is back with project {project}."
RISK_REALISED = "Risk {reference} realised: issue {issue} opened."
RISK_REALISED_DRAWN = "Risk {reference} realised: issue {issue} opened and {amount} drawn from the {reserve}."
ISSUE_ADDED = "Issue {reference} logged."
ISSUE_SAVED = "Issue {reference} saved."


def _visible_risk(request, pk: int) -> Risk:
    return get_object_or_404(selectors.risk_detail_list(user=request.user), pk=pk)


def _may_edit(user, risk: Risk) -> bool:
    return Risk.objects.editable_by(user).filter(pk=risk.pk).exists()


def _editable_risk(request, pk: int) -> Risk:
    risk = _visible_risk(request, pk)
    require(_may_edit(request.user, risk))
    return risk


def _refused(request, error: ValidationError) -> None:
    """Say why an escalation was refused: the page's form for it is gone once the risk cannot
    be escalated (closed, already escalated), so its field errors would not show."""
    for messages_ in error.message_dict.values():
        for message in messages_:
            messages.error(request, message)


def _detail_context(request, risk: Risk, *, action_form=None, escalate_form=None, realise_form=None) -> dict:
    can_edit = _may_edit(request.user, risk)
    history = list(risk.history.select_related("actor").order_by("at", "pk"))
    actions = list(selectors.mitigation_action_list(user=request.user).filter(risk=risk).order_by("due_date", "pk"))
    program_editor = may_edit_program_risks(request.user, risk.program)
    context = {
        "risk": risk,
        "program": risk.program,
        "project": risk.project,
        "can_edit": can_edit,
        "history": history,
        "trend_chart": mark_safe(charts.trend_chart(history, today=timezone.localdate())),  # noqa: S308 - escaped
        "actions": actions,
        "actions_cost": sum((a.cost for a in actions if a.status != MitigationAction.Status.CANCELLED), 0),
        "tasks": list(risk.tasks.all()),
        "issue": getattr(risk, "issue", None) if hasattr(risk, "issue") else None,
        "can_escalate": can_edit and risk.project_id is not None and not risk.is_escalated and risk.is_active,
        "can_deescalate": program_editor and risk.is_escalated,
        "can_realise": can_edit and risk.is_active,
    }
    if can_edit:
        context["action_form"] = action_form or MitigationActionForm(program=risk.program, auto_id="new_action_%s")
    if context["can_escalate"] or (escalate_form is not None and escalate_form.errors):
        context["escalate_form"] = escalate_form or EscalateForm()
    if context["can_realise"]:
        context["realise_form"] = realise_form or RealiseForm()
    return context


@login_required
def risk_detail(request, pk: int):
    risk = _visible_risk(request, pk)
    return render(request, "risks/risk_detail.html", _detail_context(request, risk))


def _risk_form_page(request, *, program, project, risk=None):
    form = RiskForm(request.POST or None, program=program, project=project, user=request.user, risk=risk)
    if form.is_bound and form.is_valid():
        data, tasks = form.service_data()
        try:
            if risk is None:
                saved = services.risk_create(
                    actor=request.user, project=project, program=None if project else program, tasks=tasks, **data
                )
            else:
                saved = services.risk_update(
                    actor=request.user,
                    risk=risk,
                    data=data,
                    tasks=tasks,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleVersionError as error:
            form.add_error(None, str(error))
        else:
            saved = Risk.objects.select_related("program").get(pk=saved.pk)
            notice = (RISK_ADDED if risk is None else RISK_SAVED).format(reference=saved.reference)
            return done(request, reverse("risks:risk-detail", args=[saved.pk]), notice)
    status = 400 if form.is_bound else 200
    context = {"form": form, "program": program, "project": project, "risk": risk}
    return render(request, "risks/risk_form.html", context, status=status)


@login_required
def risk_create_project(request, code: str):
    project = visible_project(request, code)
    require(may_edit_project_risks(request.user, project))
    return _risk_form_page(request, program=project.program, project=project)


@login_required
def risk_create_program(request, code: str):
    program = visible_program(request, code)
    require(may_edit_program_risks(request.user, program))
    return _risk_form_page(request, program=program, project=None)


@login_required
def risk_edit(request, pk: int):
    risk = _editable_risk(request, pk)
    return _risk_form_page(request, program=risk.program, project=risk.project, risk=risk)


@login_required
@require_POST
def risk_escalate(request, pk: int):
    risk = _editable_risk(request, pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            services.risk_escalate(actor=request.user, risk=risk, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_errors(error)
            _refused(request, error)
        else:
            notice = RISK_ESCALATED.format(reference=risk.reference, program=risk.program.code)
            return done(request, reverse("risks:risk-detail", args=[risk.pk]), notice)
    return render(request, "risks/risk_detail.html", _detail_context(request, risk, escalate_form=form), status=400)


@login_required
@require_POST
def risk_deescalate(request, pk: int):
    risk = _visible_risk(request, pk)
    require(may_edit_program_risks(request.user, risk.program))
    form = EscalateForm(request.POST)
    form.is_valid()
    try:
        services.risk_deescalate(actor=request.user, risk=risk, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        form.add_service_errors(error)
        _refused(request, error)
        return render(request, "risks/risk_detail.html", _detail_context(request, risk), status=400)
    notice = RISK_DEESCALATED.format(reference=risk.reference, project=risk.project.code)
    return done(request, reverse("risks:risk-detail", args=[risk.pk]), notice)


@login_required
def risk_realise(request, pk: int):
    """GET: the realisation form alone; POST: realise (from it or the risk page)."""
    risk = _editable_risk(request, pk)
    # `request.POST or None` would leave an empty POST unbound: a 200 form, nothing refused.
    form = RealiseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.risk_realise(
                actor=request.user,
                risk=risk,
                amount=data["amount"],
                reserve=data["reserve"] or None,
                note=data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            issue = Issue.objects.select_related("program", "reserve_transaction").get(pk=issue.pk)
            if issue.reserve_transaction:
                notice = RISK_REALISED_DRAWN.format(
                    reference=risk.reference,
                    issue=issue.reference,
                    amount=issue.reserve_transaction.amount,
                    reserve=issue.reserve_transaction.get_reserve_display().lower(),
                )
            else:
                notice = RISK_REALISED.format(reference=risk.reference, issue=issue.reference)
            return done(request, reverse("risks:risk-detail", args=[risk.pk]), notice)
    status = 400 if form.is_bound else 200
    return render(
        request, "risks/risk_realise.html", {"risk": risk, "form": form, "program": risk.program}, status=status
    )


# -- mitigation actions (htmx: each answer is the actions panel, or one row being edited) -----


def _actions_panel(request, risk: Risk, *, form=None, status: int = 200):
    if request.htmx:
        context = _detail_context(request, risk, action_form=form)
        return render(request, "risks/_mitigation_actions.html", context, status=status)
    if status >= 400:
        return render(
            request, "risks/risk_detail.html", _detail_context(request, risk, action_form=form), status=status
        )
    return done(request, reverse("risks:risk-detail", args=[risk.pk]) + "#actions", "Mitigation actions saved.")


@login_required
@require_POST
def mitigation_add(request, pk: int):
    risk = _editable_risk(request, pk)
    form = MitigationActionForm(request.POST, program=risk.program, auto_id="new_action_%s")
    if form.is_valid():
        try:
            services.mitigation_action_create(actor=request.user, risk=risk, **form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _actions_panel(request, risk)
    # 200 for htmx so the errors are swapped in; 400 for a plain post.
    return _actions_panel(request, risk, form=form, status=200 if request.htmx else 400)


@login_required
def mitigation_edit(request, pk: int, action: int):
    risk = _editable_risk(request, pk)
    item = get_object_or_404(MitigationAction.objects.filter(risk=risk).select_related("owner"), pk=action)
    form = MitigationActionForm(request.POST or None, program=risk.program, action=item, auto_id=f"action{item.pk}_%s")
    if form.is_bound and form.is_valid():
        try:
            services.mitigation_action_update(
                actor=request.user,
                action=item,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleVersionError as error:
            form.add_error(None, str(error))
        else:
            return _actions_panel(request, risk)
    status = 400 if form.is_bound and not request.htmx else 200
    return render(request, "risks/mitigation_edit.html", {"risk": risk, "item": item, "form": form}, status=status)


@login_required
@require_POST
def mitigation_delete(request, pk: int, action: int):
    risk = _editable_risk(request, pk)
    item = get_object_or_404(MitigationAction.objects.filter(risk=risk), pk=action)
    services.mitigation_action_delete(actor=request.user, action=item)
    return _actions_panel(request, risk)


# -- issues ------------------------------------------------------------------------------------


def _issue_form_page(request, *, program, project, issue=None):
    form = IssueForm(request.POST or None, program=program, issue=issue)
    if form.is_bound and form.is_valid():
        try:
            if issue is None:
                saved = services.issue_create(
                    actor=request.user, project=project, program=None if project else program, **form.service_data()
                )
            else:
                saved = services.issue_update(
                    actor=request.user,
                    issue=issue,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleVersionError as error:
            form.add_error(None, str(error))
        else:
            saved = Issue.objects.select_related("program").get(pk=saved.pk)
            url = (
                reverse("risks:issue-list-project", args=[project.code])
                if project
                else reverse("risks:issue-list-program", args=[program.code])
            )
            notice = (ISSUE_ADDED if issue is None else ISSUE_SAVED).format(reference=saved.reference)
            return done(request, url, notice)
    status = 400 if form.is_bound else 200
    context = {"form": form, "program": program, "project": project, "issue": issue}
    return render(request, "risks/issue_form.html", context, status=status)


@login_required
def issue_create_project(request, code: str):
    project = visible_project(request, code)
    require(may_edit_project_risks(request.user, project))
    return _issue_form_page(request, program=project.program, project=project)


@login_required
def issue_create_program(request, code: str):
    program = visible_program(request, code)
    require(may_edit_program_risks(request.user, program))
    return _issue_form_page(request, program=program, project=None)


@login_required
def issue_detail(request, pk: int):
    """Every field of an issue, the risk it came from, the reserve drawdown it caused and its
    change history (core.models.AuditEntry)."""
    issue = get_object_or_404(selectors.issue_detail_list(user=request.user), pk=pk)
    context = {
        "issue": issue,
        "program": issue.program,
        "project": issue.project,
        "drawdown": issue.reserve_transaction,
        "history": selectors.issue_history(issue),
        "can_edit": Issue.objects.editable_by(request.user).filter(pk=issue.pk).exists(),
    }
    return render(request, "risks/issue_detail.html", context)


@login_required
def issue_edit(request, pk: int):
    issue = get_object_or_404(selectors.issue_list(user=request.user), pk=pk)
    require(Issue.objects.editable_by(request.user).filter(pk=issue.pk).exists())
    return _issue_form_page(request, program=issue.program, project=issue.project, issue=issue)
