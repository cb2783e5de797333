"""API representations of quantitative risk analysis runs (risks.models.AnalysisRun).

A run in a list carries its headline figures; a single run adds what it was given (`inputs`)
and everything it found (`results`, whose shape risks.models.analysis documents). Money is a
decimal string in the portfolio's base currency."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import MAX_ID

from .models import AnalysisRun
from .models.analysis import ITERATIONS_DEFAULT, ITERATIONS_MAX, ITERATIONS_MIN
from .services.analysis import SEED_MAX


class AnalysisRunSerializer(serializers.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True, default=None)
    program_code = serializers.CharField(source="program.code", read_only=True, allow_null=True, default=None)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True, default=None)
    task_url = serializers.SerializerMethodField(help_text="The run's job page (progress while it runs).")
    progress_done = serializers.IntegerField(source="task_run.progress_done", read_only=True, default=0)
    progress_total = serializers.IntegerField(source="task_run.progress_total", read_only=True, default=0)

    class Meta:
        model = AnalysisRun
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "program_code",
            "status",
            "trigger",
            "basis",
            "iterations",
            "seed",
            "engine_version",
            "target_date",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "p50_finish",
            "p80_finish",
            "p50_cost",
            "p80_cost",
            "error",
            "task_url",
            "progress_done",
            "progress_total",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_task_url(self, run) -> str | None:
        if not run.task_run_id:
            return None
        path = reverse("core:taskrun-detail", kwargs={"task_id": run.task_run.task_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AnalysisRunDetailSerializer(AnalysisRunSerializer):
    inputs = serializers.JSONField(read_only=True, help_text="Everything the engine was given.")
    results = serializers.JSONField(read_only=True, help_text="See risks.models.analysis for the shape.")

    class Meta(AnalysisRunSerializer.Meta):
        fields = [*AnalysisRunSerializer.Meta.fields, "inputs", "results"]
        read_only_fields = fields


class AnalysisRunCreateSerializer(serializers.Serializer):
    """What to simulate (exactly one of project and program) and how."""

    project = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    program = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    iterations = serializers.IntegerField(
        min_value=ITERATIONS_MIN, max_value=ITERATIONS_MAX, default=ITERATIONS_DEFAULT
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=SEED_MAX, required=False, allow_null=True, help_text="Empty: a random seed (stored)."
    )
    basis = serializers.ChoiceField(choices=AnalysisRun.Basis.choices, default=AnalysisRun.Basis.RESIDUAL)
    target_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if (attrs.get("project") is None) == (attrs.get("program") is None):
            raise serializers.ValidationError({"project": "Give exactly one of project or program."})
        return attrs
