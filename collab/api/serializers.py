"""Comment and activity representations for the API (collab.api.comments, collab.api.feed)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..markdown import render
from ..models import COMMENT_MAX_CHARS, Comment


class CommentSerializer(serializers.ModelSerializer):
    """A comment. `body` is the author's Markdown ("" once deleted); `body_html` is it rendered
    and sanitised, safe to show as is."""

    author_name = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author",
            "author_name",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "deleted_at",
            "is_deleted",
        ]
        read_only_fields = fields

    def get_author_name(self, comment) -> str:
        return comment.author.get_full_name() or comment.author.get_username()

    def get_body_html(self, comment) -> str:
        return "" if comment.deleted_at else str(render(comment.body))


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS, help_text="Markdown; @username notifies that user.")
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="A comment of the same object to reply to (a reply to a reply joins its thread).",
    )  # fmt: skip


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS, help_text="The new Markdown body.")


class FeedItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["comment", "attachment", "status", "audit"])
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    verb = serializers.CharField()
    summary = serializers.CharField()
    target = serializers.SerializerMethodField(help_text="The object's kind (a collab target slug).")
    object_id = serializers.IntegerField()
    object_repr = serializers.CharField()
    object_url = serializers.CharField(help_text="The object's page in the app.")
    url = serializers.CharField(help_text="The item's page in the app (a comment's anchor), else the object's.")
    is_new = serializers.BooleanField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_actor(self, item):
        return getattr(item.actor, "pk", None)

    def get_actor_name(self, item) -> str:
        if item.actor is None:
            return ""
        return item.actor.get_full_name() or item.actor.get_username()

    def get_target(self, item) -> str:
        return item.target.slug if item.target else ""


class FeedSerializer(serializers.Serializer):
    results = FeedItemSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as ?cursor= for the next page; null at the end."
    )
