"""The governance API (conventions in core.api): ROUTES are registered on the one /api/v1/ router.

- gates.py: stage-gates (+ POST {id}/decide/), gate-criteria
- changes.py: change-requests (+ POST {id}/submit/, approve/, reject/, withdraw/), change-request-lines
- program.py: decisions, benefits, benefit-measurements, operating-level-agreements
"""

from .changes import ChangeRequestLineViewSet, ChangeRequestViewSet
from .gates import GateCriterionViewSet, StageGateViewSet
from .program import BenefitMeasurementViewSet, BenefitViewSet, DecisionViewSet, OperatingLevelAgreementViewSet

ROUTES: list[tuple] = [
    ("stage-gates", StageGateViewSet, "stage-gate"),
    ("gate-criteria", GateCriterionViewSet, "gate-criterion"),
    ("change-requests", ChangeRequestViewSet, "change-request"),
    ("change-request-lines", ChangeRequestLineViewSet, "change-request-line"),
    ("decisions", DecisionViewSet, "decision"),
    ("benefits", BenefitViewSet, "benefit"),
    ("benefit-measurements", BenefitMeasurementViewSet, "benefit-measurement"),
    ("operating-level-agreements", OperatingLevelAgreementViewSet, "operating-level-agreement"),
]
