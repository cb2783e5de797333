from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Every domain event (core.events) becomes a delivery to each matching subscription.
        from core import events

        from . import services

        for kind in events.KINDS:
            events.subscribe(kind, services.event_received)
