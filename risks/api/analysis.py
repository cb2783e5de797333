"""API of quantitative risk analysis runs: list (filter project, program), retrieve (the full
results), and create (POST starts a run: 202 with the run and its job page).

Reading needs sight of the run's project (or oversight of its program, for a program run); an
unknown or unseen project, program or run is a 404. Starting one needs the right to edit the
project or program (risks.selectors.analysis.can_run_analysis), else 403."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from core.serializers import ErrorSerializer
from portfolio.models import Program
from projects.models import Project

from ..filters import AnalysisRunFilterSet
from ..models import AnalysisRun
from ..selectors.analysis import analysis_runs_for, can_run_analysis
from ..serializers_analysis import AnalysisRunCreateSerializer, AnalysisRunDetailSerializer, AnalysisRunSerializer
from ..services.analysis import RUN_DENIED, analysis_run_request


class AnalysisRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monte Carlo schedule and cost risk analyses of the projects and programs you can see."""

    filterset_class = AnalysisRunFilterSet
    ordering_fields = ["requested_at", "finished_at"]

    def get_queryset(self):
        runs = analysis_runs_for(self.request.user)
        if self.action == "list":
            return runs.defer("inputs", "results")
        return runs

    def get_serializer_class(self):
        if self.action == "create":
            return AnalysisRunCreateSerializer
        return AnalysisRunDetailSerializer if self.action == "retrieve" else AnalysisRunSerializer

    @extend_schema(
        request=AnalysisRunCreateSerializer,
        responses={202: AnalysisRunSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description="Start an analysis of a project or program. Runs in the background (in-process in the "
        "embedded default); poll the run (or its `task_url`) until `status` is succeeded or failed.",
    )
    def create(self, request, *args, **kwargs):
        serializer = AnalysisRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = request.user
        project = program = None
        if data.get("project") is not None:
            project = get_object_or_404(Project.objects.visible_to(user), pk=data["project"])
        else:
            program = get_object_or_404(Program.objects.overseen_by(user), pk=data["program"])
        if not can_run_analysis(user, project or program):
            raise exceptions.PermissionDenied(RUN_DENIED)
        run = analysis_run_request(
            user=user,
            project=project,
            program=program,
            iterations=data["iterations"],
            seed=data.get("seed"),
            basis=data["basis"],
            target_date=data.get("target_date"),
            trigger=AnalysisRun.Trigger.API,
        )
        run = analysis_runs_for(user).get(pk=run.pk)
        return Response(AnalysisRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
