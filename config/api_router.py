"""The one /api/v1/ router. Each app registers its viewsets here: plural kebab-case names."""

from django.urls import path
from rest_framework.routers import DefaultRouter, SimpleRouter

from access.api import InvitationViewSet, UserViewSet
from budgets.api import (
    BudgetLineViewSet,
    ContractViewSet,
    CostCategoryViewSet,
    CostEntryViewSet,
    CostRangeViewSet,
    CurrencyViewSet,
    ExchangeRateViewSet,
    FiscalCalendarViewSet,
    FiscalPeriodViewSet,
    ForecastViewSet,
    ImportJobViewSet,
    LifecycleCostEstimateViewSet,
    LifecycleCostLineViewSet,
    ReserveTransactionViewSet,
    VendorViewSet,
)
from collab.api.attachments import AttachmentViewSet
from collab.api.urls import urlpatterns as collab_comment_urls
from core.api import ApiTokenViewSet, MeView
from governance.api import ROUTES as GOVERNANCE_ROUTES
from history.api import ROUTES as HISTORY_ROUTES
from integrations.api import ROUTES as INTEGRATION_ROUTES
from planning.api import ROUTES as PLANNING_ROUTES
from portfolio.api import MembershipViewSet, StrategicObjectiveViewSet
from projects.api import StatusReportViewSet
from projects.api_schedule import (
    BaselineTaskViewSet,
    BaselineViewSet,
    CalendarViewSet,
    DependencyViewSet,
    TaskViewSet,
)
from projects.api_uncertainty import CorrelationGroupViewSet, DurationRangeViewSet
from reporting.api import ROUTES as REPORTING_ROUTES
from reporting.api import PortfolioViewSet, ProgramViewSet, ProjectViewSet  # the domains' with summaries
from reporting.api_money import ProgramMoneyViewSet, ProjectMoneyViewSet
from risks.api import ROUTES as RISK_ROUTES
from staffing.api import ROUTES as STAFFING_ROUTES

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
# User administration (access): the people in the portfolios you administer, and invitations.
router.register("users", UserViewSet, basename="user")
router.register("invitations", InvitationViewSet, basename="invitation")
# Risk analysis inputs (a task's own three-point estimate is on /tasks/).
router.register("duration-ranges", DurationRangeViewSet, basename="duration-range")
router.register("correlation-groups", CorrelationGroupViewSet, basename="correlation-group")
router.register("cost-ranges", CostRangeViewSet, basename="cost-range")
# Money (budgets).
router.register("currencies", CurrencyViewSet, basename="currency")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("cost-categories", CostCategoryViewSet, basename="cost-category")
router.register("fiscal-calendars", FiscalCalendarViewSet, basename="fiscal-calendar")
router.register("fiscal-periods", FiscalPeriodViewSet, basename="fiscal-period")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("cost-entries", CostEntryViewSet, basename="cost-entry")
router.register("forecasts", ForecastViewSet, basename="forecast")
router.register("reserve-transactions", ReserveTransactionViewSet, basename="reserve-transaction")
router.register("lifecycle-cost-estimates", LifecycleCostEstimateViewSet, basename="lifecycle-cost-estimate")
router.register("lifecycle-cost-lines", LifecycleCostLineViewSet, basename="lifecycle-cost-line")
router.register("vendors", VendorViewSet, basename="vendor")
router.register("contracts", ContractViewSet, basename="contract")
router.register("imports", ImportJobViewSet, basename="import")
# Risks, staffing, governance, reporting, integrations, history and planning list their own
# (prefix, viewset, basename) routes.
for prefix, viewset, basename in (
    *RISK_ROUTES,
    *STAFFING_ROUTES,
    *GOVERNANCE_ROUTES,
    *REPORTING_ROUTES,
    *INTEGRATION_ROUTES,
    *HISTORY_ROUTES,
    *PLANNING_ROUTES,
):
    router.register(prefix, viewset, basename=basename)

# Computed money at /projects/{id}/evm/ etc.: detail actions on the paths of the project and
# program resources, from a second router so the API root keeps one entry per resource.
money_reports = SimpleRouter()
money_reports.register("projects", ProjectMoneyViewSet, basename="project-money")
money_reports.register("programs", ProgramMoneyViewSet, basename="program-money")

# Attachments, nested under the object they belong to (collab): /collab/{slug}/{target_pk}/attachments/.
# Their own router: the API root lists resources, and these need an object to be named.
collab_attachments = SimpleRouter()
collab_attachments.register(
    r"collab/(?P<slug>[a-z-]+)/(?P<target_pk>[0-9]+)/attachments", AttachmentViewSet, basename="collab-attachment"
)

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    # Comments and activity nested under the object they are on (collab.api).
    *collab_comment_urls,
    *money_reports.urls,
    *collab_attachments.urls,
    *router.urls,
]
