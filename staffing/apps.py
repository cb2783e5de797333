from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"

    def ready(self) -> None:
        # The schedule import (projects, below staffing) asks staffing who a file's resources
        # are through this seam: projects.services.resource_matching.
        from projects.services.resource_matching import register_resource_matcher

        from .resource_matches import StaffingResourceMatcher

        register_resource_matcher(StaffingResourceMatcher())
