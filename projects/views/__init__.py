"""Project page, project create/edit and the status-report form; the schedule
page and its endpoints are in views/schedule.py (re-exported here).

Every view starts from Project.objects.visible_to / editable_by (Program for creation):
other people's projects are 404, and so is an edit form for someone who may only read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portfolio.models import Program
from portfolio.selectors import program_people

from ..forms import ProjectCreateForm, ProjectForm, ScheduleSettingsForm, StatusReportCorrectForm, StatusReportForm
from ..models import Project, StatusReport
from ..selectors import (
    project_is_editable,
    project_page,
    project_status_history,
)
from ..services import (
    project_create,
    project_update,
    report_period_next,
    status_report_correct,
    status_report_submit,
)
from . import uncertainty
from .baselines import baseline_overwrite
from .schedule import (
    baseline_save,
    link_add,
    link_remove,
    schedule_branch,
    schedule_export,
    schedule_fragment,
    schedule_page,
    task_add,
    task_indent,
    task_outdent,
    task_remove,
    task_save,
)
from .schedule_edit import (
    link_edit_form,
    link_save,
    task_drag_view,
    task_insert_view,
    task_move_view,
    tasks_indent_view,
    tasks_outdent_view,
    undo_view,
)
from .schedule_import import schedule_import_confirm_view, schedule_import_preview, schedule_upload

PROJECT_CREATED = "Project {code} created."
CODE_TAKEN = "A project with this code was created a moment ago; choose another code."
PROJECT_SAVED = "Project {code} saved."
SCHEDULE_SETTINGS_SAVED = "Schedule settings of {code} saved; the schedule was recalculated."
STATUS_SUBMITTED = "Status report for {code} (period ending {period_end:%d %b %Y}) submitted."
STATUS_CORRECTED = "Status report for {code} (period ending {period_end:%d %b %Y}) corrected."
STATUS_UNCHANGED = "Nothing changed; the report for {code} (period ending {period_end:%d %b %Y}) stays as it was."
PERIOD_HAS_REPORT = (
    "{code} already has a report for {period_end:%B %Y}. Saving corrects that report; the changes are listed below."
)


@login_required
def project_detail(request, code: str):
    project = get_object_or_404(project_page(user=request.user), code=code)
    context = {
        "project": project,
        "latest": project.latest_status_report,
        "history": project_status_history(project=project),
        "can_edit": project_is_editable(user=request.user, project=project),
    }
    return render(request, "projects/project_detail.html", context)


def _editable_project(request, code: str) -> Project:
    return get_object_or_404(
        Project.objects.editable_by(request.user).select_related("program__portfolio", "latest_status_report"),
        code=code,
    )


@login_required
def project_edit(request, code: str):
    project = _editable_project(request, code)
    people = program_people(program=project.program, include=[project.manager_id])
    form = ProjectForm(request.POST if request.method == "POST" else None, instance=project, people=people)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: project_update(
                actor=request.user,
                project=project,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            messages.success(request, PROJECT_SAVED.format(code=project.code))
            return redirect("projects:project-detail", code=project.code)
    status = 409 if form.stale else 200
    # The form wrote the posted values onto `project`; the page header shows the stored ones.
    project.refresh_from_db(fields=["name"])
    return render(request, "projects/project_form.html", {"project": project, "form": form}, status=status)


@login_required
def schedule_settings(request, code: str):
    """The project's scheduling dialect (Microsoft Project or Primavera P6) and P6's options.
    Dates are typed and shown in the project's time zone; saving reschedules the project."""
    project = _editable_project(request, code)
    with timezone.override(project.time_zone or "UTC"):
        form = ScheduleSettingsForm(request.POST if request.method == "POST" else None, instance=project)
        if form.is_bound and form.is_valid():
            saved = form.save_with(
                lambda version: project_update(
                    actor=request.user, project=project, data=form.service_data(), expected_version=version
                )
            )
            if saved is not None:
                messages.success(request, SCHEDULE_SETTINGS_SAVED.format(code=project.code))
                return redirect("projects:schedule", code=project.code)
        status = 409 if form.stale else 200
        project.refresh_from_db(fields=["name", "schedule_dialect"])
        return render(request, "projects/schedule_settings.html", {"project": project, "form": form}, status=status)


@login_required
def project_create_view(request, program_code: str):
    program = get_object_or_404(
        Program.objects.editable_by(request.user).select_related("portfolio"), code=program_code
    )
    form = ProjectCreateForm(request.POST if request.method == "POST" else None, people=program_people(program=program))
    if form.is_bound and form.is_valid():
        try:
            project = project_create(actor=request.user, program=program, **form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        except IntegrityError:
            # Validation passed, so another request took the code in between (the unique index won).
            form.add_error("code", CODE_TAKEN)
        else:
            messages.success(request, PROJECT_CREATED.format(code=project.code))
            return redirect("projects:project-detail", code=project.code)
    return render(request, "projects/project_form.html", {"program": program, "form": form})


@login_required
def status_report_create(request, code: str):
    """A new report, prefilled from the latest, for the next period. A period that already has a
    report is never filed twice: the form (on GET ?period= or on POST) becomes its correction."""
    project = _editable_project(request, code)
    previous = project.latest_status_report
    if request.method == "POST":
        form = StatusReportForm(request.POST)
        if form.is_valid():
            existing = StatusReport.objects.filter(project=project, period_end=form.cleaned_data["period_end"]).first()
            if existing is not None:
                # The same period again: show it as a correction of the filed report, saved
                # only when the user confirms on that form.
                correction = StatusReportCorrectForm(request.POST, instance=existing)
                correction.is_valid()
                return _correction_page(request, project, existing, correction, arrived_from_new=True)
            try:
                report = status_report_submit(actor=request.user, project=project, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, STATUS_SUBMITTED.format(code=project.code, period_end=report.period_end))
                return redirect("projects:project-detail", code=project.code)
    else:
        period_end = report_period_next(project)
        existing = StatusReport.objects.filter(project=project, period_end=period_end).first()
        if existing is not None:
            return redirect("projects:status-report-correct", code=project.code, pk=existing.pk)
        form = StatusReportForm(initial=StatusReportForm.initial_from(previous, period_end=period_end))
    return render(request, "projects/statusreport_form.html", {"project": project, "form": form, "previous": previous})


def _correction_page(request, project, report, form, *, arrived_from_new=False, status=200):
    context = {
        "project": project,
        "form": form,
        "report": report,
        "changes": form.changes() if form.is_bound and not form.errors else [],
        "notice": PERIOD_HAS_REPORT.format(code=project.code, period_end=report.period_end) if arrived_from_new else "",
    }
    return render(request, "projects/statusreport_form.html", context, status=status)


@login_required
def status_report_correct_view(request, code: str, pk: int):
    """Correct a filed report in place (audited field by field); its period stays."""
    project = _editable_project(request, code)
    report = get_object_or_404(StatusReport.objects.filter(project=project), pk=pk)
    form = StatusReportCorrectForm(request.POST or None, instance=report)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "period_end"}
        try:
            status_report_correct(actor=request.user, report=report, data=data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = STATUS_CORRECTED if data else STATUS_UNCHANGED
            messages.success(request, notice.format(code=project.code, period_end=report.period_end))
            return redirect("projects:project-detail", code=project.code)
    return _correction_page(request, project, report, form)


__all__ = [
    "baseline_overwrite",
    "baseline_save",
    "link_add",
    "link_edit_form",
    "link_remove",
    "link_save",
    "project_create_view",
    "project_detail",
    "project_edit",
    "schedule_branch",
    "schedule_export",
    "schedule_fragment",
    "schedule_import_confirm_view",
    "schedule_import_preview",
    "schedule_page",
    "schedule_upload",
    "status_report_correct_view",
    "status_report_create",
    "task_add",
    "task_drag_view",
    "task_indent",
    "task_insert_view",
    "task_move_view",
    "task_outdent",
    "task_remove",
    "task_save",
    "tasks_indent_view",
    "tasks_outdent_view",
    "uncertainty",
    "undo_view",
]
