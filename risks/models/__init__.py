"""The risks app's models: risks and their score history (risk.py), mitigation actions
(mitigation.py) and issues (issue.py). Scoring rules live in risks.scoring."""

from .issue import Issue
from .mitigation import MitigationAction
from .risk import Risk, RiskScoreHistory

__all__ = ["Issue", "MitigationAction", "Risk", "RiskScoreHistory"]
