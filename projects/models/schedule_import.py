"""A schedule file waiting to be imported: uploaded, previewed, then confirmed (or left).

The upload is stored under MEDIA_ROOT/schedule-imports/ so that the confirm step imports the
very file the user previewed, re-validated, and nothing else. A pending import is its
uploader's, on a project the uploader may edit (ScheduleImport.objects.editable_by): everyone
else gets 404."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from portfolio.querysets import sees_everything


class ScheduleImportQuerySet(models.QuerySet):
    def editable_by(self, user):
        from .project import Project

        if not user.is_authenticated:
            return self.none()
        projects = Project.objects.editable_by(user).values("pk")
        if sees_everything(user):
            return self.filter(project__in=projects)
        return self.filter(project__in=projects, user=user)

    def visible_to(self, user):
        return self.editable_by(user)


class ScheduleImport(TimeStampedModel):
    """One uploaded schedule file for one project, and whether it was imported.

    `replace` is the mode chosen at upload: False merges (adds and updates tasks matched by
    their file UID, keeps every other task and the plan's numbering), True makes the file the
    plan (tasks it lacks are deleted). `applied_at` is set once the import ran; a second
    confirmation of the same upload then does nothing."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="schedule_imports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedule_imports"
    )
    file = models.FileField(upload_to="schedule-imports/%Y/%m/", max_length=255)
    filename = models.CharField(max_length=255, help_text="The name the file was uploaded with.")
    replace = models.BooleanField(default=False)
    applied_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The counts of the import once it ran.")

    objects = ScheduleImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(filename=""), name="%(app_label)s_%(class)s_filename_not_blank"),
        ]

    def __str__(self) -> str:
        return f"Schedule import {self.pk} of {self.filename} into {self.project_id}"
