"""Comments and attachments on the objects people decide on (see `collab.targets`).

Both point at their object through a content type and id, and carry the object's program so a
program's activity feed is one indexed query. Nothing is ever removed outright: an edited
comment keeps its earlier bodies as revisions, a deleted one keeps its row (body blanked in
every view, kept in the revisions), and an attachment uploaded again under the same name
becomes a new version of the same attachment.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TimeStampedModel

COMMENT_MAX_CHARS = 10_000


class Comment(TimeStampedModel):
    """One comment in Markdown (rendered sanitised). A reply names its `parent`, a top-level
    comment of the same object; replies are one level deep, as in most trackers."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=COMMENT_MAX_CHARS)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=False) | ~Q(body=""), name="%(app_label)s_%(class)s_body_not_empty"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="collab_comment_target_idx"),
            models.Index(fields=["program", "created_at"], name="collab_comment_program_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.content_type.model} {self.object_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentRevision(models.Model):
    """A comment's body before an edit or a deletion: the history an author cannot erase."""

    class Reason(models.TextChoices):
        EDITED = "edited", "Edited"
        DELETED = "deleted", "Deleted"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["edited", "deleted"]), name="%(app_label)s_%(class)s_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.reason} {self.at:%Y-%m-%d %H:%M}"


class Attachment(TimeStampedModel):
    """A named document on an object; its file is the latest of its `versions`. Uploading a file
    with the same name to the same object adds a version instead of a second attachment."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "name"],
                condition=Q(deleted_at__isnull=True),
                name="%(app_label)s_%(class)s_one_live_name_per_object",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="collab_attachment_target_idx"),
            models.Index(fields=["program", "created_at"], name="collab_attachment_program_idx"),
        ]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: "AttachmentVersion", filename: str) -> str:
    # Never the uploaded name: a random-looking, unguessable key per version. Downloads go through
    # an access-checked view, never a public media URL.
    a = instance.attachment
    return f"attachments/{a.program_id}/{a.pk}/{instance.sha256[:16]}-v{instance.number}"


class AttachmentVersion(models.Model):
    """One uploaded file of an attachment: numbered from 1, with its size, the type read from its
    content, and a SHA-256 of the bytes."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=attachment_path, max_length=300)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attachment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "number"], name="%(app_label)s_%(class)s_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.attachment.name} v{self.number}"


class LastVisit(models.Model):
    """When a user last opened an object's discussion, or an object's or a program's activity
    feed: the "since my last visit" marker. One row per user, object and scope, so reading a
    program's discussion does not hide what is new in its activity feed."""

    class Scope(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        FEED = "feed", "Activity feed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.FEED)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id", "scope"],
                name="%(app_label)s_%(class)s_one_per_user_object_scope",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["discussion", "feed"]), name="%(app_label)s_%(class)s_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.content_type.model} {self.object_id} {self.scope} · {self.at:%Y-%m-%d %H:%M}"
