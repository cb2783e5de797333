"""Schedule import pages: upload -> preview -> confirm (the flow of the actuals import).

Every page needs a project the user may edit (404 otherwise), and a pending import is its
uploader's (404 for anyone else). The upload is checked by a dry run before it is kept; the
preview is recomputed from the stored file each time it is shown and carries the fingerprint
of the plan it was computed on, which the confirm step checks, so a plan changed in between is
never overwritten by an outdated preview. Errors show once, at the top of the page, beside the
form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ..forms import EstimateMappingForm, ScheduleImportConfirmForm, ScheduleImportForm
from ..models import Project, ScheduleImport
from ..services.schedule_import import (
    ALREADY_IMPORTED,
    StalePreviewError,
    schedule_import_confirm,
    schedule_import_job_preview,
    schedule_import_upload,
)
from ..services.schedule_io import ScheduleFileError

IMPORTED = (
    "Imported {filename}: {created} tasks added, {updated} updated, {removed} removed, "
    "{links} links, {calendars} calendars, {baselines} baselines."
)
REPAIRED = " {count} items of the file were dropped or repaired, as the preview listed."
IMPORT_FAILED = "Nothing was imported."
IMPORT_FAILED_FROM = "Nothing was imported from {filename}."
CONFIRM_FROM_PREVIEW = "Confirm the import from its preview page."
UNPROCESSABLE = 422
CONFLICT = 409


def _project(request, code: str) -> Project:
    return get_object_or_404(Project.objects.editable_by(request.user).select_related("program"), code=code)


def _job(request, project: Project, pk: int) -> ScheduleImport:
    return get_object_or_404(ScheduleImport.objects.editable_by(request.user).filter(project=project), pk=pk)


def _schedule_url(project: Project) -> str:
    return reverse("projects:schedule", args=[project.code])


@login_required
def schedule_upload(request, code: str):
    """Choose a file and a mode; a good file goes on to its preview."""
    project = _project(request, code)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    posted = request.method == "POST"
    form = ScheduleImportForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        if form.is_valid():
            try:
                job = schedule_import_upload(
                    user=request.user, project=project, upload=form.cleaned_data["file"], replace=form.replace
                )
            except ScheduleFileError as error:
                form.add_error("file", error.reason)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("projects:schedule-import-preview", code=project.code, pk=job.pk)
        status = UNPROCESSABLE
    errors = [str(e) for e in form.non_field_errors()] + [str(e) for f in form for e in f.errors]
    upload = request.FILES.get("file") if posted else None
    failed = IMPORT_FAILED_FROM.format(filename=upload.name) if upload is not None else IMPORT_FAILED
    context = {"project": project, "form": form, "errors": errors, "import_failed": failed}
    return render(request, "projects/schedule_import_upload.html", context, status=status)


def _mapping_data(request) -> dict | None:
    """The custom field mapping the user chose (query string on the preview, the confirm form's
    hidden fields on a confirm), or None when none was sent."""
    source = request.POST if request.method == "POST" else request.GET
    data = {name: source.get(name, "") for name in EstimateMappingForm.NAMES}
    return data if any(data.values()) else None


def _resource_matches(request) -> dict[str, str] | None:
    """The people or roles the user chose for the file's resources in the mapping step
    ("resource-<file UID>" = "person:<pk>", "role:<pk>" or ""), or None when the step was not
    sent (the import then matches by e-mail and name, projects.services.resource_matching)."""
    source = request.POST if request.method == "POST" else request.GET
    if not source.get("resources_mapped"):
        return None
    return {key.removeprefix("resource-"): value for key, value in source.items() if key.startswith("resource-")}


def _preview_page(request, project, job, *, error: str = "", status: int = 200):
    """The preview, recomputed now, with a confirm form carrying this preview's fingerprint
    and the custom field and resource mappings it was made with."""
    data = _mapping_data(request)
    chosen = EstimateMappingForm(data).mapping() if data else None
    matches = _resource_matches(request)
    try:
        try:
            preview = schedule_import_job_preview(
                job=job, actor=request.user, estimates=chosen, resource_matches=matches
            )
        except ScheduleFileError as problem:
            if not chosen and matches is None:
                raise
            # The mapped fields do not read as estimates: say so on the mapping, preview without it.
            preview = schedule_import_job_preview(job=job, actor=request.user)
            error, status = problem.reason, UNPROCESSABLE
    except ScheduleFileError as problem:
        # The stored file no longer imports against the plan as it is now.
        preview, error, status = None, problem.reason, UNPROCESSABLE
    form = mapping_form = None
    if preview is not None:
        mapping_form = EstimateMappingForm(data, fields=preview.custom_fields)
        if data and not mapping_form.is_valid():
            status = UNPROCESSABLE
            if preview.estimates:
                preview = schedule_import_job_preview(job=job, actor=request.user)
        form = ScheduleImportConfirmForm(initial={"fingerprint": preview.fingerprint}, removed=len(preview.removed))
    context = {
        "mapping_form": mapping_form,
        "project": project,
        "job": job,
        "preview": preview,
        "form": form,
        "error": error,
        "import_failed": IMPORT_FAILED,
    }
    return render(request, "projects/schedule_import_preview.html", context, status=status)


@login_required
def schedule_import_preview(request, code: str, pk: int):
    """What the import would do; the confirm button (and, for a replace, its checkbox)."""
    project = _project(request, code)
    job = _job(request, project, pk)
    if job.applied_at is not None:
        messages.info(request, ALREADY_IMPORTED.format(filename=job.filename, code=project.code))
        return redirect(_schedule_url(project))
    return _preview_page(request, project, job)


def _confirmed_mapping(request):
    data = _mapping_data(request)
    if data is None:
        return None
    form = EstimateMappingForm(data)
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    return form.mapping()


@login_required
def schedule_import_confirm_view(request, code: str, pk: int):
    """Import the previewed file, if the plan is still the one previewed."""
    project = _project(request, code)
    job = _job(request, project, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ScheduleImportConfirmForm(request.POST)
    if not form.is_valid():
        return _preview_page(request, project, job, error=CONFIRM_FROM_PREVIEW, status=UNPROCESSABLE)
    try:
        result = schedule_import_confirm(
            job=job,
            actor=request.user,
            fingerprint=form.cleaned_data["fingerprint"],
            replace_confirmed=form.cleaned_data["confirm_replace"],
            estimates=_confirmed_mapping(request),
            resource_matches=_resource_matches(request),
        )
    except StalePreviewError as stale:
        return _preview_page(request, project, job, error=" ".join(stale.messages), status=CONFLICT)
    except ScheduleFileError as problem:
        return _preview_page(request, project, job, error=problem.reason, status=UNPROCESSABLE)
    except ValidationError as refused:
        return _preview_page(request, project, job, error=" ".join(refused.messages), status=UNPROCESSABLE)
    if result is None:
        messages.info(request, ALREADY_IMPORTED.format(filename=job.filename, code=project.code))
    else:
        messages.success(
            request,
            IMPORTED.format(
                filename=job.filename,
                created=result.tasks_created,
                updated=result.tasks_updated,
                removed=result.tasks_removed,
                links=result.links,
                calendars=result.calendars,
                baselines=result.baselines,
            )
            + (REPAIRED.format(count=sum(r.count for r in result.repairs)) if result.repairs else ""),
        )
    return redirect(_schedule_url(project))
