from rest_framework import serializers

from core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    """One recorded change: `changes` maps each field to [before, after] (strings or null)."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    changes = serializers.DictField(child=serializers.JSONField(), read_only=True)
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "portfolio_id",
            "program_id",
            "project_id",
            "attachment_url",
        ]
        read_only_fields = fields

    def get_attachment_url(self, entry) -> str | None:
        if not entry.attachment:
            return None
        from django.urls import reverse

        url = reverse("history:attachment", args=[entry.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
