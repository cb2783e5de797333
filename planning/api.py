"""Portfolio planning over REST: scenarios and their overlay rows, budget caps, scoring criteria,
judgements and values, and optimisation runs. Read by portfolio admins and executives of the
portfolio; written only by its admins (others who see it get 403, everyone else 404).

Overlay rows are "set" resources: POST sets a project's row (creating or replacing what it
says), PATCH changes some of it, DELETE goes back to live. Every write goes through
planning.services, so a committed scenario refuses them (400 on `status`)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import (
    EditableObjectPermission,
    VersionedModelViewSetMixin,
    parse_if_match,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer, decimal_text, is_whole_id
from portfolio.models import Portfolio

from . import services
from .filters import (
    BudgetCapFilterSet,
    CriterionValueFilterSet,
    OptimisationRunFilterSet,
    PairwiseJudgementFilterSet,
    ScenarioBudgetFilterSet,
    ScenarioDemandFilterSet,
    ScenarioFilterSet,
    ScenarioProjectFilterSet,
    ScoringCriterionFilterSet,
)
from .models import (
    BudgetCap,
    CriterionValue,
    OptimisationRun,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)
from .querysets import PLANNING_EDITORS, PLANNING_READERS, planning_portfolio_ids
from .selectors import lists
from .selectors.scenario import scenario_view
from .selectors.scores import project_scores
from .serializers import (
    ApplyPlanSerializer,
    BudgetCapSerializer,
    CommitPreviewSerializer,
    CommitSerializer,
    CriterionValueSerializer,
    OptimisationRunSerializer,
    OptimiseSerializer,
    PairwiseJudgementSerializer,
    ScenarioBudgetSerializer,
    ScenarioDemandSerializer,
    ScenarioProjectSerializer,
    ScenarioSerializer,
    ScenarioViewSerializer,
    ScoresSerializer,
    ScoringCriterionSerializer,
)

EDIT_DENIED = "Only the portfolio's admins build, optimise and commit its scenarios and set its scoring."
RUN_OTHER_SCENARIO = "This optimisation run belongs to another scenario."
PORTFOLIO_REQUIRED = "Give the portfolio: ?portfolio=<id>."
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 412: ErrorSerializer}


def editable_portfolios(user):
    if user.is_active and user.is_superuser:
        return Portfolio.objects.all()
    return Portfolio.objects.filter(pk__in=planning_portfolio_ids(user, PLANNING_EDITORS))


def readable_portfolios(user):
    if user.is_active and user.is_superuser:
        return Portfolio.objects.all()
    return Portfolio.objects.filter(pk__in=planning_portfolio_ids(user, PLANNING_READERS))


class _PlanningViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    permission_classes = [EditableObjectPermission]
    model = None

    def get_editable_queryset(self):
        return self.model.objects.editable_by(self.request.user)


def _scenario_editable(request, scenario) -> None:
    require_editable(Scenario.objects.editable_by(request.user), scenario, EDIT_DENIED)


# -- scenarios ---------------------------------------------------------------------------------


@versioned_schema(ScenarioSerializer)
class ScenarioViewSet(_PlanningViewSet):
    """Scenarios of the portfolios you plan or read. A committed or archived scenario is read-only."""

    serializer_class = ScenarioSerializer
    filterset_class = ScenarioFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "status", "committed_at"]
    model = Scenario

    def get_queryset(self):
        return lists.scenario_list(user=self.request.user).order_by("-created_at", "-pk")

    def _scenario(self, scenario):
        """An action's answer: the scenario as the resource shows it, with its ETag."""
        scenario = self.get_queryset().get(pk=scenario.pk)
        response = Response(ScenarioSerializer(scenario, context=self.get_serializer_context()).data)
        response["ETag"] = scenario.etag
        return response

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(editable_portfolios(self.request.user), data["portfolio"], EDIT_DENIED)
        return services.scenario_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("portfolio", "based_on")}
        return services.scenario_update(
            actor=self.request.user, scenario=serializer.instance, data=data, expected_version=expected_version
        )

    def destroy(self, request, *args, **kwargs):
        scenario = self.get_object()
        services.scenario_delete(actor=request.user, scenario=scenario, expected_version=parse_if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: ScenarioViewSerializer, 404: ErrorSerializer})
    @action(detail=True, methods=["get"])
    def view(self, request, pk=None):
        """The scenario over its horizon: projects, cost by fiscal year vs caps, demand vs supply."""
        scenario = self.get_object()
        return Response(ScenarioViewSerializer(scenario_view(scenario)).data)

    @extend_schema(request=OptimiseSerializer, responses={202: OptimisationRunSerializer, **ERRORS})
    @action(detail=True, methods=["post"], serializer_class=OptimiseSerializer)
    def optimise(self, request, pk=None):
        """Start an optimisation run (202); read it at /optimisation-runs/{id}/ until it has finished."""
        scenario = self.get_object()
        serializer = OptimiseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.scenario_optimise(user=request.user, scenario=scenario, **serializer.validated_data)
        return Response(OptimisationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ApplyPlanSerializer, responses={200: ScenarioSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="apply-plan", serializer_class=ApplyPlanSerializer)
    def apply_plan(self, request, pk=None):
        """Write a finished run's plan into the scenario (its projects in or out, their starts)."""
        scenario = self.get_object()
        serializer = ApplyPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = OptimisationRun.objects.filter(pk=serializer.validated_data["run"], scenario=scenario).first()
        if run is None:
            raise exceptions.ValidationError({"run": RUN_OTHER_SCENARIO})
        scenario = services.plan_apply(actor=request.user, run=run)
        return self._scenario(scenario)

    @extend_schema(responses={200: CommitPreviewSerializer, 404: ErrorSerializer})
    @action(detail=True, methods=["get"], url_path="commit-preview")
    def commit_preview(self, request, pk=None):
        """What committing would change in the live portfolio, project by project; commit with
        the `version` it gives."""
        scenario = self.get_object()
        return Response(CommitPreviewSerializer(services.scenario_commit_preview(scenario)).data)

    @extend_schema(request=CommitSerializer, responses={200: ScenarioSerializer, **ERRORS})
    @action(detail=True, methods=["post"], serializer_class=CommitSerializer)
    def commit(self, request, pk=None):
        """Apply the scenario to the live portfolio (one transaction, all or nothing): `confirm`
        must be true, and `version` (or If-Match) the version the commit preview showed —
        412 when the scenario changed since."""
        scenario = self.get_object()
        serializer = CommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version") or parse_if_match(request)
        scenario = services.scenario_commit(
            actor=request.user,
            scenario=scenario,
            expected_version=version,
            confirm=serializer.validated_data["confirm"],
        )
        return self._scenario(scenario)

    @extend_schema(request=None, responses={200: ScenarioSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Keep the scenario for the record, read-only."""
        scenario = services.scenario_archive(actor=request.user, scenario=self.get_object())
        return self._scenario(scenario)


# -- overlay rows ------------------------------------------------------------------------------


@versioned_schema(ScenarioProjectSerializer)
class ScenarioProjectViewSet(_PlanningViewSet):
    """How projects differ from live in the scenarios you can read."""

    serializer_class = ScenarioProjectSerializer
    filterset_class = ScenarioProjectFilterSet
    ordering_fields = ["project__code"]
    model = ScenarioProject

    def get_queryset(self):
        return lists.scenario_project_list(user=self.request.user).order_by("scenario", "project__code")

    def _set(self, data, scenario, project):
        _scenario_editable(self.request, scenario)
        return services.scenario_project_set(actor=self.request.user, scenario=scenario, project=project, **data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        row = self._set(data, data.pop("scenario"), data.pop("project"))
        if row is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.respond_with(row, status.HTTP_201_CREATED)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("scenario", None)
        data.pop("project", None)
        row = serializer.instance
        return self._set(data, row.scenario, row.project) or row

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        services.scenario_project_reset(actor=request.user, scenario=row.scenario, project=row.project)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _SetViewSet(_PlanningViewSet):
    """A row set by a `<thing>_set(..., <value_field>=…)` service; None deletes it."""

    value_field = "amount"
    keys: tuple[str, ...] = ()

    def service(self, **kwargs):
        raise NotImplementedError

    def _scenario_of(self, data):
        return data["scenario"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        _scenario_editable(self.request, self._scenario_of(data))
        return self.service(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        row = serializer.instance
        value = serializer.validated_data.get(self.value_field, getattr(row, self.value_field))
        keys = {name: getattr(row, name) for name in self.keys}
        return self.service(actor=self.request.user, **keys, **{self.value_field: value})

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        self.service(actor=request.user, **{name: getattr(row, name) for name in self.keys}, **{self.value_field: None})
        return Response(status=status.HTTP_204_NO_CONTENT)


@versioned_schema(ScenarioBudgetSerializer)
class ScenarioBudgetViewSet(_SetViewSet):
    """Projects' budgets by fiscal period in the scenarios you can read (base currency)."""

    serializer_class = ScenarioBudgetSerializer
    filterset_class = ScenarioBudgetFilterSet
    ordering_fields = ["period__start", "amount"]
    model = ScenarioBudget
    keys = ("scenario", "project", "period")

    def get_queryset(self):
        return lists.scenario_budget_list(user=self.request.user).order_by("scenario", "project", "period__start")

    def service(self, **kwargs):
        return services.scenario_budget_set(**kwargs)


@versioned_schema(ScenarioDemandSerializer)
class ScenarioDemandViewSet(_SetViewSet):
    """Projects' FTE demand by staffing role and month in the scenarios you can read."""

    serializer_class = ScenarioDemandSerializer
    filterset_class = ScenarioDemandFilterSet
    ordering_fields = ["month", "fte"]
    model = ScenarioDemand
    value_field = "fte"
    keys = ("scenario", "project", "role", "month")

    def get_queryset(self):
        return lists.scenario_demand_list(user=self.request.user).order_by("scenario", "project", "role", "month")

    def service(self, **kwargs):
        return services.scenario_demand_set(**kwargs)


@versioned_schema(BudgetCapSerializer)
class BudgetCapViewSet(_SetViewSet):
    """Budget caps per fiscal year of the scenarios you can read."""

    serializer_class = BudgetCapSerializer
    filterset_class = BudgetCapFilterSet
    ordering_fields = ["fiscal_year"]
    model = BudgetCap
    keys = ("scenario", "fiscal_year")

    def get_queryset(self):
        return lists.budget_cap_list(user=self.request.user).order_by("scenario", "fiscal_year")

    def service(self, **kwargs):
        return services.budget_cap_set(**kwargs)


# -- scoring -----------------------------------------------------------------------------------


@versioned_schema(ScoringCriterionSerializer)
class ScoringCriterionViewSet(_PlanningViewSet):
    """Scoring criteria of the portfolios you plan or read; `scores` gives every project's score."""

    serializer_class = ScoringCriterionSerializer
    filterset_class = ScoringCriterionFilterSet
    ordering_fields = ["name", "kind", "weight"]
    model = ScoringCriterion

    def get_queryset(self):
        return lists.scoring_criterion_list(user=self.request.user).order_by("portfolio", "name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(editable_portfolios(self.request.user), data["portfolio"], EDIT_DENIED)
        return services.criterion_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = {k: v for k, v in serializer.validated_data.items() if k != "portfolio"}
        return services.criterion_update(
            actor=self.request.user, criterion=serializer.instance, data=data, expected_version=expected_version
        )

    def destroy(self, request, *args, **kwargs):
        criterion = self.get_object()
        services.criterion_delete(actor=request.user, criterion=criterion, expected_version=parse_if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OpenApiParameter("portfolio", OpenApiTypes.INT, required=True)],
        responses={200: ScoresSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def scores(self, request):
        """Every open project's score (0-100) in the portfolio, the criteria's weights and how
        they were found (direct, or pairwise with Saaty's consistency ratio)."""
        given = request.query_params.get("portfolio", "")
        if not is_whole_id(given):
            raise exceptions.ValidationError({"portfolio": PORTFOLIO_REQUIRED})
        portfolio = readable_portfolios(request.user).filter(pk=int(given)).first()
        if portfolio is None:
            raise Http404
        scores = project_scores(portfolio)
        return Response(
            ScoresSerializer(
                {
                    "method": scores.method,
                    "consistency_ratio": decimal_text(scores.consistency_ratio, 4),
                    "weights": {str(k): decimal_text(v, 4) for k, v in scores.weights.items()},
                    "projects": sorted(scores.values(), key=lambda s: (-s.score, s.project_id)),
                }
            ).data
        )


@versioned_schema(PairwiseJudgementSerializer)
class PairwiseJudgementViewSet(_SetViewSet):
    """Pairwise judgements between the criteria of the portfolios you plan or read."""

    serializer_class = PairwiseJudgementSerializer
    filterset_class = PairwiseJudgementFilterSet
    model = PairwiseJudgement
    value_field = "value"
    keys = ("criterion_a", "criterion_b")

    def get_queryset(self):
        return lists.pairwise_judgement_list(user=self.request.user).order_by("criterion_a", "criterion_b")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(editable_portfolios(self.request.user), data["criterion_a"].portfolio, EDIT_DENIED)
        return services.pairwise_set(actor=self.request.user, **data)

    def service(self, **kwargs):
        return services.pairwise_set(**kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = self.perform_create(serializer)
        if row is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.respond_with(row, status.HTTP_201_CREATED)


@versioned_schema(CriterionValueSerializer)
class CriterionValueViewSet(_SetViewSet):
    """Projects' entered values on the criteria of the portfolios you plan or read."""

    serializer_class = CriterionValueSerializer
    filterset_class = CriterionValueFilterSet
    model = CriterionValue
    value_field = "value"
    keys = ("criterion", "project")

    def get_queryset(self):
        return lists.criterion_value_list(user=self.request.user).order_by("criterion", "project")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(editable_portfolios(self.request.user), data["criterion"].portfolio, EDIT_DENIED)
        return services.criterion_value_set(actor=self.request.user, **data)

    def service(self, **kwargs):
        return services.criterion_value_set(**kwargs)


class OptimisationRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Optimisation runs of the scenarios you can read (start one with POST /scenarios/{id}/optimise/)."""

    serializer_class = OptimisationRunSerializer
    filterset_class = OptimisationRunFilterSet
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        return lists.optimisation_run_list(user=self.request.user).order_by("-created_at", "-pk")


ROUTES = [
    ("scenarios", ScenarioViewSet, "scenario"),
    ("scenario-projects", ScenarioProjectViewSet, "scenario-project"),
    ("scenario-budgets", ScenarioBudgetViewSet, "scenario-budget"),
    ("scenario-demands", ScenarioDemandViewSet, "scenario-demand"),
    ("budget-caps", BudgetCapViewSet, "budget-cap"),
    ("scoring-criteria", ScoringCriterionViewSet, "scoring-criterion"),
    ("pairwise-judgements", PairwiseJudgementViewSet, "pairwise-judgement"),
    ("criterion-values", CriterionValueViewSet, "criterion-value"),
    ("optimisation-runs", OptimisationRunViewSet, "optimisation-run"),
]
