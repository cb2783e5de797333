"""API representations of import jobs and of an import preview."""

from rest_framework import serializers

from ..imports import DATE_FORMATS
from ..imports.jobs import MAX_UPLOAD_BYTES, TOO_LARGE
from ..models import CostEntry, ImportJob
from .values import named_choice_field

ImportKindField = named_choice_field("ImportKind", ImportJob.Kind.choices, "What an import loads.")
ImportStatusField = named_choice_field("ImportStatus", ImportJob.Status.choices, "Where an import job stands.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet row number (the header is row 1).")
    field = serializers.CharField(allow_null=True, help_text='The import field, e.g. "amount"; null: the whole row.')
    column = serializers.CharField(allow_null=True, help_text="The file's column header for that field.")
    message = serializers.CharField()
    text = serializers.CharField(help_text="e.g. \"row 17, amount: 'abc' is not a number\".")


class ImportJobSerializer(serializers.ModelSerializer):
    """An import job and where it stands. `processed_rows` counts rows read in the current phase
    (validating, then importing) out of `total_rows` (an estimate until validation has read the
    whole file); `percent` is their ratio. When it FAILED, nothing was imported: `errors` holds
    the first 1,000 row-level errors (`error_count` counts them all) or `message` says why."""

    kind = ImportKindField(read_only=True)
    status = ImportStatusField(read_only=True)
    user_username = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    percent = serializers.IntegerField(read_only=True)
    errors = RowErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "filename",
            "user",
            "user_username",
            "mapping",
            "default_source",
            "date_format",
            "status",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "skipped_count",
            "error_count",
            "errors",
            "message",
            "created_at",
            "queued_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    """A CSV or XLSX file to import. `mapping` maps import fields to the file's column headers
    (a JSON object); left out, the proposed mapping is used."""

    file = serializers.FileField()
    kind = ImportKindField()
    mapping = serializers.JSONField(required=False, help_text='e.g. {"date": "Posting date", "amount": "Amount"}.')
    source = serializers.ChoiceField(
        choices=CostEntry.Source.choices,
        required=False,
        help_text="Actuals: the source of rows whose file has no source column (default ledger).",
    )
    date_format = serializers.ChoiceField(
        choices=[(k, v) for k, v in DATE_FORMATS.items() if k], required=False, help_text="Default: ISO (YYYY-MM-DD)."
    )

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(TOO_LARGE)
        return upload


class ImportFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    help = serializers.CharField()


class PreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="number")
    values = serializers.DictField(child=serializers.CharField(), help_text="The mapped cells, by field, as text.")
    note = serializers.CharField(help_text='What importing the row would do: "new", "already imported", …')
    errors = RowErrorSerializer(many=True, source="error_dicts")


class ImportPreviewSerializer(serializers.Serializer):
    """The file's headers, the import's fields, the mapping used (the proposed one when none was
    given) and the first rows as they would import, each with its errors. `mapping_errors` lists
    what is wrong with the mapping; the rows are empty until it is right."""

    headers = serializers.ListField(child=serializers.CharField())
    fields = ImportFieldSerializer(many=True)
    mapping = serializers.DictField(child=serializers.CharField())
    mapping_errors = serializers.ListField(child=serializers.CharField())
    rows = PreviewRowSerializer(many=True)
