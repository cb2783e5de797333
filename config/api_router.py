"""The one /api/v1/ router. Each app registers its viewsets here: plural kebab-case names."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api import ApiTokenViewSet, MeView
from portfolio.api import MembershipViewSet, PortfolioViewSet, ProgramViewSet, StrategicObjectiveViewSet
from projects.api import ProjectViewSet, StatusReportViewSet
from projects.api_schedule import (
    BaselineTaskViewSet,
    BaselineViewSet,
    CalendarViewSet,
    DependencyViewSet,
    TaskViewSet,
)

router = DefaultRouter()
router.register("portfolios", PortfolioViewSet, basename="portfolio")
router.register("objectives", StrategicObjectiveViewSet, basename="objective")
router.register("programs", ProgramViewSet, basename="program")
router.register("projects", ProjectViewSet, basename="project")
router.register("status-reports", StatusReportViewSet, basename="status-report")
router.register("tasks", TaskViewSet, basename="task")
router.register("dependencies", DependencyViewSet, basename="dependency")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("baselines", BaselineViewSet, basename="baseline")
router.register("baseline-tasks", BaselineTaskViewSet, basename="baseline-task")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("tokens", ApiTokenViewSet, basename="token")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
