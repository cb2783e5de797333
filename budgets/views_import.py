"""The import pages: upload a file, map its columns, preview the first rows with their errors,
confirm, and watch the job (a progress bar the page polls with htmx every second, then the
counts or the row-level error report).

A job is its uploader's (ImportJob.objects.visible_to): everyone else gets 404. Only people who
may import (a finance role on some project, budgets.imports.may_import) reach the upload page;
others get 404. Who may change which project's money is checked row by row when the job runs.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.views import paginate

from .forms_import import ImportMappingForm, ImportUploadForm
from .imports import (
    FIELDS_BY_KIND,
    import_job_configure,
    import_job_create,
    import_job_enqueue,
    import_job_headers,
    import_job_preview,
    may_import,
)
from .models import ImportJob

UNPROCESSABLE = 422
PREVIEW_ROWS = 20
ALREADY_STARTED = "This import has already started."
STARTED = "Import of {filename} started."
HINTS = {
    ImportJob.Kind.ACTUALS: "One row per cost: date, amount, project code, cost category code and an external "
    "reference unique within its source (rows already imported are skipped). Optional: currency, task, source, "
    "vendor, contract number, description.",
    ImportJob.Kind.BUDGET: "One row per budget line: project code, cost category code, fiscal year and period "
    "number (or a date in the period), amount; optionally currency and version (original or current). A line "
    "that exists is updated.",
}


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("user"), pk=pk)


@login_required
def import_list(request):
    jobs = ImportJob.objects.visible_to(request.user).select_related("user")
    context = {"page": paginate(request, jobs), "can_import": may_import(request.user)}
    return render(request, "budgets/import_list.html", context)


@login_required
def import_new(request, kind: str):
    """Upload a file; the next page maps its columns (prefilled with the proposal)."""
    if kind not in ImportJob.Kind.values or not may_import(request.user):
        raise Http404
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None, kind=kind)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                job = import_job_create(
                    user=request.user,
                    kind=kind,
                    upload=form.cleaned_data["file"],
                    default_source=form.cleaned_data.get("source", ""),
                    date_format=form.cleaned_data.get("date_format", ""),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("budgets:import-mapping", pk=job.pk)
        status = UNPROCESSABLE
    context = {"form": form, "kind": kind, "kind_label": ImportJob.Kind(kind).label, "hint": HINTS[kind]}
    return render(request, "budgets/import_upload.html", context, status=status)


@login_required
def import_mapping(request, pk: int):
    """Which column holds which field: a select per field, prefilled with the proposal."""
    job = _job(request, pk)
    if job.queued_at is not None:
        return redirect("budgets:import-detail", pk=job.pk)
    headers = import_job_headers(job=job)
    fields = FIELDS_BY_KIND[job.kind]
    form = ImportMappingForm(
        request.POST if request.method == "POST" else None, job=job, headers=headers, fields=fields
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                import_job_configure(
                    job=job,
                    mapping=form.mapping(),
                    default_source=form.cleaned_data.get("source"),
                    date_format=form.cleaned_data.get("date_format", ""),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("budgets:import-preview", pk=job.pk)
        status = UNPROCESSABLE
    return render(request, "budgets/import_mapping.html", {"job": job, "form": form}, status=status)


@login_required
def import_preview(request, pk: int):
    """The first rows as they would import, each with its errors; confirm to run the import."""
    job = _job(request, pk)
    if job.queued_at is not None:
        return redirect("budgets:import-detail", pk=job.pk)
    try:
        preview = import_job_preview(job=job, limit=PREVIEW_ROWS)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("budgets:import-mapping", pk=job.pk)
    fields = FIELDS_BY_KIND[job.kind]
    columns = [fields[name] for name in fields if name in preview.mapping]
    rows = [
        {
            "number": row.number,
            "cells": [row.values.get(field.name, "") for field in columns],
            "note": row.note,
            "errors": [str(error) for error in row.errors],
        }
        for row in preview.rows
    ]
    context = {
        "job": job,
        "columns": [(f.label, preview.mapping[f.name]) for f in columns],
        "rows": rows,
        "bad_rows": sum(1 for row in rows if row["errors"]),
        "limit": PREVIEW_ROWS,
    }
    return render(request, "budgets/import_preview.html", context)


@login_required
@require_POST
def import_start(request, pk: int):
    job = _job(request, pk)
    if job.queued_at is None:
        job = import_job_enqueue(job=job)
        messages.success(request, STARTED.format(filename=job.filename))
    return redirect("budgets:import-detail", pk=job.pk)


def _progress_context(job: ImportJob) -> dict:
    return {"job": job, "finished": job.is_finished, "more_errors": max(job.error_count - len(job.errors), 0)}


@login_required
def import_detail(request, pk: int):
    """The job's page: progress while it runs, then the counts or the error report."""
    job = _job(request, pk)
    return render(request, "budgets/import_detail.html", _progress_context(job))


@login_required
def import_progress(request, pk: int):
    """The progress fragment the detail page polls (htmx, every second until the job ends)."""
    job = _job(request, pk)
    return render(request, "budgets/_import_progress.html", _progress_context(job))
