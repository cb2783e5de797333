"""The risks API (conventions in core.api): risks with escalate / de-escalate / realise actions
and the computed heat map and exposure, mitigation actions, issues and the read-only score
history. ROUTES are registered on the one /api/v1/ router by config/api_router.py."""

from .analysis import AnalysisRunViewSet
from .views import IssueViewSet, MitigationActionViewSet, RiskScoreHistoryViewSet, RiskViewSet

ROUTES: list[tuple] = [
    ("risks", RiskViewSet, "risk"),
    ("mitigation-actions", MitigationActionViewSet, "mitigation-action"),
    ("issues", IssueViewSet, "issue"),
    ("risk-history", RiskScoreHistoryViewSet, "risk-history"),
    ("analysis-runs", AnalysisRunViewSet, "analysis-run"),
]

__all__ = [
    "ROUTES",
    "AnalysisRunViewSet",
    "IssueViewSet",
    "MitigationActionViewSet",
    "RiskScoreHistoryViewSet",
    "RiskViewSet",
]
