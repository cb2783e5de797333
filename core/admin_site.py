"""The admin site: Django's, except that it cannot write audited or versioned rows behind the
services' back (issue 12, defect 4).

A save in /admin/ is a plain `Model.save()`: it writes no AuditEntry and does not bump
`version`, so a later API PATCH carrying the old ETag would pass the optimistic lock and silently
revert the admin's change. Every domain write belongs in a service (audited, version-checked), so
this site registers the models of the domain apps, and every VersionedModel anywhere, read-only:
listed and viewable, never added, changed or deleted. A ModelAdmin whose own save_model /
delete_model / delete_queryset call the services says so with `saves_through_services = True`
and keeps its write permissions (reporting.HealthPolicy, portfolio.Membership).
"""

from django.contrib import admin

from .models import VersionedModel

# Apps whose rows are written by services with an audit entry (the domain apps, plus the layers
# above the domains). Labels, not imports: core knows no domain.
AUDITED_APPS = frozenset({"portfolio", "projects", "budgets", "risks", "staffing", "governance", "collab", "reporting"})


class ReadOnlyAdminMixin:
    """Lists and shows rows; offers no add, change or delete, to superusers too."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def is_audited(model) -> bool:
    return model._meta.app_label in AUDITED_APPS or issubclass(model, VersionedModel)


class KeelAdminSite(admin.AdminSite):
    site_header = "Keel administration"
    site_title = "Keel administration"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        for model in models:
            base = admin_class or admin.ModelAdmin
            if is_audited(model) and not getattr(base, "saves_through_services", False):
                base = type(f"ReadOnly{base.__name__}", (ReadOnlyAdminMixin, base), {})
                # An inline would otherwise offer its own add / change / delete on a read-only parent.
                base.inlines = [
                    type(f"ReadOnly{inline.__name__}", (ReadOnlyAdminMixin, inline), {}) for inline in base.inlines
                ]
            super().register(model, base, **options)
