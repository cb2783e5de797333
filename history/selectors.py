"""Reads of the audit log (core.AuditEntry) by visibility, object and scope.

Who sees an entry, in the lists (per user, per scope, the API, CSV):
- superusers: every entry;
- an entry of an object in a project: those who see the project (Project.visible_to);
- of a program-level object: those who see the program whole (a role on it or its portfolio;
  someone who sees a program only through one project sees that project's history);
- of a portfolio-level object (the resource pool, objectives): those who see the portfolio;
- cost rates and job roles (their rates): only those who may see rates in that portfolio
  (staffing.querysets.rate_pools), whatever else they see;
- an entry with no scope (an API token, a webhook's own changes are scoped): its actor only.
The History panel of a detail page shows every entry of the object the user is looking at: the
page has already decided the user may see that object (the model's own visible_to).
"""

from django.apps import apps
from django.db.models import Q

from core.models import AuditEntry
from portfolio.models import Portfolio, Program
from portfolio.querysets import sees_everything
from projects.models import Project
from staffing.querysets import rate_pools

# Object types whose changes carry people's cost rates (staffing.querysets: RATE_VIEWERS).
RATE_TYPES = ("staffing.costrate", "staffing.role")


def entries_visible_to(user):
    """The audit entries `user` may read; one query (membership subqueries)."""
    base = AuditEntry.objects.select_related("actor")
    if not user.is_authenticated:
        return base.none()
    if sees_everything(user):
        return base
    projects = Project.objects.visible_to(user).values("pk")
    programs = Program.objects.overseen_by(user).values("pk")
    portfolios = Portfolio.objects.visible_to(user).values("pk")
    scoped = (
        Q(project_id__in=projects)
        | Q(project_id__isnull=True, program_id__in=programs)
        | Q(project_id__isnull=True, program_id__isnull=True, portfolio_id__in=portfolios)
    )
    own_unscoped = Q(project_id__isnull=True, program_id__isnull=True, portfolio_id__isnull=True, actor=user)
    rates = Q(object_type__in=RATE_TYPES)
    return base.filter((scoped & ~rates) | (rates & Q(portfolio_id__in=rate_pools(user))) | own_unscoped)


def visible_object(*, object_type: str, object_id, user):
    """The object `object_type` ("app_label.model") / `object_id` when `user` may see it, else None."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        return None
    if object_type in RATE_TYPES and not sees_everything(user):
        return None  # their history shows rates; the rate pages show them to those who may see them
    try:
        return manager.visible_to(user).filter(pk=int(object_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def entries_of(obj):
    """Every entry of one object, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")


AUDITED_APPS = {"core", "portfolio", "projects", "budgets", "risks", "staffing", "governance", "collab", "integrations"}


def object_types() -> list[tuple[str, str]]:
    """(label, verbose name) of every model that could be audited, for the filter's choices."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label in AUDITED_APPS:
            found.append((model._meta.label_lower, f"{model._meta.verbose_name} ({model._meta.app_label})"))
    return sorted(found, key=lambda pair: pair[1])
