"""The risks app's models: risks and their score history (risk.py), mitigation actions
(mitigation.py) issues (issue.py) and quantitative analysis runs (analysis.py). Scoring rules live in risks.scoring."""

from .analysis import AnalysisRun
from .issue import Issue
from .mitigation import MitigationAction
from .risk import Risk, RiskScoreHistory

__all__ = ["AnalysisRun", "Issue", "MitigationAction", "Risk", "RiskScoreHistory"]
