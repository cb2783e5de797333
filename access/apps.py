from django.apps import AppConfig


class AccessConfig(AppConfig):
    """User administration (invitations, roles, deactivation, who has access to what) and
    single sign-on. Sits above the domains: it grants roles through portfolio.services."""

    name = "access"
    default_auto_field = "django.db.models.BigAutoField"
