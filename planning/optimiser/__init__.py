"""Portfolio optimiser and scoring maths: pure Python, no Django imports.

`optimise` chooses projects and start months under budget and capacity caps (OR-Tools CP-SAT);
`weights` derives criterion weights (AHP or direct), `scoring` scores projects, `frontier` draws
the efficient frontier of value against cost.
"""

from planning.optimiser.model import Binding, Candidate, Limits, Plan
from planning.optimiser.solver import optimise

__all__ = ["Binding", "Candidate", "Limits", "Plan", "optimise"]
