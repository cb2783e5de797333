"""Import jobs: the service layer the HTML pages, the API and the Celery task share.

- import_job_create stores the upload under MEDIA_ROOT/imports/ and proposes a mapping;
- import_job_configure changes the mapping (until the job is queued);
- import_job_preview shows the first rows as they would import, with their errors;
- import_job_enqueue hands the job to a worker after the transaction commits;
- import_job_run (the task's body) validates and imports, writing progress into the job row.

The database row is the record: the task only carries the job's id, and running it again for a
job that is finished, or is being run by a live worker, does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from core import taskruns
from core.models import AuditEntry
from core.services import audit_record

from ..models import ImportJob
from ..querysets import finance_projects
from .actuals import ActualsImporter, check_default_source
from .budget import BudgetImporter
from .engine import ImportReport, Preview
from .files import TabularFile
from .mapping import FIELDS_BY_KIND, check_mapping, propose_mapping
from .values import DATE_FORMATS

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # the default of settings.KEEL_IMPORT_MAX_UPLOAD_BYTES
TOO_LARGE = "The file is larger than {size}; import it with manage.py import_actuals instead."
IMPORT_DENIED = (
    "Importing needs a finance role on some project (finance analyst, project manager, or a manager role above it)."
)
QUOTA_COUNT = (
    "You already have {count} uploaded files that were never imported (at most {limit}): start those imports, "
    "or wait — unstarted uploads are deleted after {hours} hours."
)
QUOTA_BYTES = (
    "Your uploaded files that were never imported already take {used}; with this one they would pass {limit}. "
    "Start those imports, or wait — unstarted uploads are deleted after {hours} hours."
)
ALREADY_QUEUED = "This import has already started; its mapping can no longer change."
UNKNOWN_DATE_FORMAT = "Choose one of the date formats offered."
UNEXPECTED = "The import stopped on an unexpected error ({error}); nothing was imported."
RACED = (
    "Another import wrote some of these rows at the same moment, so nothing was imported. Run the import again: "
    "rows already imported are skipped."
)
# A job marked as running whose row has not moved for this long lost its worker: run it again.
STALE_AFTER = dt.timedelta(minutes=10)

IMPORTERS = {ImportJob.Kind.ACTUALS: ActualsImporter, ImportJob.Kind.BUDGET: BudgetImporter}


def open_table(path: str | Path, *, filename: str | None = None) -> TabularFile:
    """The file as a table (ImportFileError, on `file`, when it cannot be read)."""
    return TabularFile(path, filename=filename)


def local_file(field_file) -> Path:
    """A path on this machine to a job's stored file: the file itself with the local storage,
    else a copy fetched once into the temp folder (S3 and other remote storages have no path)."""
    try:
        path = Path(field_file.path)
        if path.is_file():
            return path
    except NotImplementedError:
        pass
    copy = Path(tempfile.gettempdir()) / "keel-imports" / field_file.name
    if not copy.exists():
        copy.parent.mkdir(parents=True, exist_ok=True)
        part = copy.with_name(copy.name + ".part")
        with field_file.open("rb") as source, open(part, "wb") as out:
            shutil.copyfileobj(source, out)
        os.replace(part, copy)
    return copy


def may_import(user) -> bool:
    """Whether `user` may upload an import at all: a finance role on some project (which rows
    they may write is checked row by row when the job runs)."""
    return bool(getattr(user, "is_authenticated", False)) and finance_projects(user).exists()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _pending_uploads(user) -> list[ImportJob]:
    """`user`'s jobs whose file is stored but was never queued."""
    return list(ImportJob.objects.filter(user=user, queued_at__isnull=True).exclude(file=""))


def _stored_size(job: ImportJob) -> int:
    try:
        return job.file.size
    except (FileNotFoundError, ValueError):
        return 0


def check_upload_quota(*, user, size: int) -> None:
    """ValidationError on `file` when `user` already left too many (or too large) uploads
    unstarted (KEEL_IMPORT_MAX_PENDING_UPLOADS / _BYTES)."""
    pending = _pending_uploads(user)
    hours = settings.KEEL_IMPORT_ABANDONED_HOURS
    limit = settings.KEEL_IMPORT_MAX_PENDING_UPLOADS
    if len(pending) >= limit:
        raise ValidationError({"file": QUOTA_COUNT.format(count=len(pending), limit=limit, hours=hours)})
    used = sum(_stored_size(job) for job in pending)
    byte_limit = settings.KEEL_IMPORT_MAX_PENDING_BYTES
    if used + size > byte_limit:
        raise ValidationError(
            {"file": QUOTA_BYTES.format(used=_megabytes(used), limit=_megabytes(byte_limit), hours=hours)}
        )


def importer_for(
    kind: str, table: TabularFile, mapping: dict, *, actor, default_source: str = "", date_format: str = ""
):
    """The importer of `kind` over `table` (ValidationError on `mapping` or `source`)."""
    if date_format not in DATE_FORMATS:
        raise ValidationError({"date_format": UNKNOWN_DATE_FORMAT})
    return IMPORTERS[kind](table, mapping, actor=actor, default_source=default_source, date_format=date_format)


# -- the job's life ----------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *,
    user,
    kind: str,
    upload: UploadedFile,
    mapping: dict | None = None,
    default_source: str = "",
    date_format: str = "",
) -> ImportJob:
    """Store `upload` and make a PENDING job for it. Without `mapping`, the proposed one is
    used; a given mapping is checked against the file's headers (ValidationError on
    `mapping`). A file that cannot be read is a ValidationError on `file`, and so is an upload
    past the user's quota of unstarted uploads. PermissionDenied when `user` may not import."""
    if not may_import(user):
        raise PermissionDenied(IMPORT_DENIED)
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ImportJob.Kind.values)}."})
    if upload.size > settings.KEEL_IMPORT_MAX_UPLOAD_BYTES:
        raise ValidationError({"file": TOO_LARGE.format(size=_megabytes(settings.KEEL_IMPORT_MAX_UPLOAD_BYTES))})
    check_upload_quota(user=user, size=upload.size)
    if date_format not in DATE_FORMATS:
        raise ValidationError({"date_format": UNKNOWN_DATE_FORMAT})
    if kind == ImportJob.Kind.ACTUALS:
        default_source = check_default_source(default_source)
    job = ImportJob(
        user=user,
        kind=kind,
        filename=Path(upload.name or "upload").name[:255],
        default_source=default_source,
        date_format=date_format,
    )
    job.file.save(job.filename, upload, save=False)
    try:
        table = open_table(local_file(job.file), filename=job.filename)
        fields = FIELDS_BY_KIND[kind]
        job.mapping = (
            propose_mapping(table.headers, fields) if mapping is None else check_mapping(mapping, table.headers, fields)
        )
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.save()
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        obj=job,
        changes={"kind": [None, kind], "file": [None, job.filename]},
    )
    return job


def import_job_headers(*, job: ImportJob) -> list[str]:
    return open_table(local_file(job.file), filename=job.filename).headers


@transaction.atomic
def import_job_configure(
    *, job: ImportJob, mapping: dict, default_source: str | None = None, date_format: str | None = None
) -> ImportJob:
    """Set the job's column mapping (and source and date format) before it is queued."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.queued_at is not None:
        raise ValidationError({"mapping": ALREADY_QUEUED})
    table = open_table(local_file(job.file), filename=job.filename)
    job.mapping = check_mapping(mapping, table.headers, FIELDS_BY_KIND[job.kind])
    if default_source is not None and job.kind == ImportJob.Kind.ACTUALS:
        job.default_source = check_default_source(default_source)
    if date_format is not None:
        if date_format not in DATE_FORMATS:
            raise ValidationError({"date_format": UNKNOWN_DATE_FORMAT})
        job.date_format = date_format
    job.save(update_fields=["mapping", "default_source", "date_format", "updated_at"])
    return job


def import_job_preview(*, job: ImportJob, limit: int = 20) -> Preview:
    """The first `limit` rows as the job's mapping reads them, each with its errors; writes nothing."""
    table = open_table(local_file(job.file), filename=job.filename)
    importer = importer_for(
        job.kind, table, job.mapping, actor=job.user, default_source=job.default_source, date_format=job.date_format
    )
    return importer.preview(limit=limit)


def import_job_enqueue(*, job: ImportJob) -> ImportJob:
    """Queue the job: its task is sent when the current transaction commits (at once outside
    one). Queuing twice sends the task once more, which is harmless (the task is idempotent)."""
    from ..tasks import actuals_import_run, budget_import_run

    task = actuals_import_run if job.kind == ImportJob.Kind.ACTUALS else budget_import_run
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk, queued_at__isnull=True).update(queued_at=timezone.now())
        transaction.on_commit(lambda: task.delay(job.pk))
    job.refresh_from_db()
    return job


def import_jobs_prune(*, hours: int | None = None) -> tuple[int, int]:
    """Housekeeping (a beat job and manage.py prune_imports): uploads never started for `hours`
    (KEEL_IMPORT_ABANDONED_HOURS by default) are deleted with their job; finished jobs older than
    that keep their row and report but lose the stored file. Returns (jobs deleted, files removed)."""
    hours = settings.KEEL_IMPORT_ABANDONED_HOURS if hours is None else hours
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    deleted = files = 0
    for job in ImportJob.objects.filter(queued_at__isnull=True, created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
            files += 1
        job.delete()
        deleted += 1
    finished = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lt=cutoff
    ).exclude(file="")
    for job in finished.iterator():
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        files += 1
    return deleted, files


# -- running -----------------------------------------------------------------------------------


def _claim(job_id: int) -> ImportJob | None:
    """The job, marked VALIDATING, if it is pending or its worker is gone; else None."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        running = job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)
        if running and job.updated_at > timezone.now() - STALE_AFTER:
            return None  # a live worker has it (a duplicate delivery)
        job.status = ImportJob.Status.VALIDATING
        job.started_at = timezone.now()
        job.processed_rows = 0
        job.save(update_fields=["status", "started_at", "processed_rows", "updated_at"])
        return job


class _ProgressWriter:
    """Writes the phase and row counts into the job row every CHUNK_ROWS rows.

    While the rows are being written the import holds one long transaction, and an update made
    inside it would stay invisible to the progress page until the end. On PostgreSQL the
    progress is therefore written through a second connection of its own, in autocommit.
    SQLite allows one writer at a time, so there the importing phase shows no progress until
    it is done (the embedded default runs the import in-process anyway)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._side = None

    def __call__(self, phase: str, processed: int, total: int | None) -> None:
        # The task run's row too, for the administrators' jobs page (a no-op outside a task).
        taskruns.report_progress(processed, total or 0)
        values = {"status": phase, "processed_rows": processed, "total_rows": total, "updated_at": timezone.now()}
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(**values)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection("default")
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET status = %s, processed_rows = %s, total_rows = %s, "  # noqa: S608 - the table name is ours
                    "updated_at = %s WHERE id = %s",
                    [phase, processed, total, values["updated_at"], self.job_id],
                )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


def _finish(job: ImportJob, report: ImportReport | None, message: str = "") -> None:
    failed = report is None or not report.ok
    job.status = ImportJob.Status.FAILED if failed else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.message = message
    if report is not None:
        job.total_rows = job.processed_rows = report.total_rows
        job.created_count, job.updated_count, job.skipped_count = report.created, report.updated, report.skipped
        job.error_count = report.error_count
        job.errors = [error.as_dict() for error in report.errors]
    ImportJob.objects.filter(pk=job.pk).update(
        status=job.status,
        finished_at=job.finished_at,
        message=job.message,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        created_count=job.created_count,
        updated_count=job.updated_count,
        skipped_count=job.skipped_count,
        error_count=job.error_count,
        errors=job.errors,
        updated_at=timezone.now(),
    )


def import_job_run(*, job_id: int) -> str:
    """Run a queued job to DONE or FAILED and return its final status (or "skipped" when there
    is nothing to do). Never raises for bad data: a bad row, a bad file or an unexpected error
    all end as FAILED with nothing imported and the reason in the job."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    progress = _ProgressWriter(job.pk)
    try:
        table = open_table(local_file(job.file), filename=job.filename)
        importer = importer_for(
            job.kind,
            table,
            job.mapping,
            actor=job.user,
            default_source=job.default_source,
            date_format=job.date_format,
        )
        label = f"{job.filename} (import {job.pk})"
        report = importer.run(progress=progress, estimate=table.estimate_rows(), label=label)
    except ValidationError as error:
        _finish(job, None, "; ".join(error.messages))
    except FileNotFoundError:
        _finish(job, None, "The uploaded file is no longer stored; upload it again.")
    except IntegrityError:
        _finish(job, None, RACED)
    except Exception as error:
        logger.exception("Import job %s failed", job.pk)
        _finish(job, None, UNEXPECTED.format(error=type(error).__name__))
    else:
        _finish(job, report)
        _audit_file(job, report)
    finally:
        progress.close()
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def _audit_file(job: ImportJob, report) -> None:
    """Keep the imported file with an audit entry on the job (a copy: the upload itself is pruned
    after KEEL_IMPORT_ABANDONED_HOURS), so what a bulk import wrote can be read back row by row
    long after. The entry has no scope, as the file may hold rows of projects other readers of
    one project cannot see: its uploader and superusers download it (history.selectors). Each
    project the import changed has its own entry naming the import (ImportEngine.audit)."""
    if not report.ok:
        return
    counts = {"created": report.created, "updated": report.updated, "skipped": report.skipped}
    try:
        with job.file.open("rb") as upload:
            audit_record(
                actor=job.user,
                action=AuditEntry.Action.UPDATE,
                obj=job,
                changes={"status": [None, "done"], "rows": [None, str(counts)], "file": [None, job.filename]},
                attachment=File(upload, name=job.filename),
            )
    except OSError:  # the import stands; only the copy is missing, which the log says
        logger.exception("Could not keep the file of import job %s with its audit entry", job.pk)
