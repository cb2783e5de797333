"""CP-SAT model for the portfolio optimiser (work in progress: the contract is in model.py)."""

from collections.abc import Sequence

from planning.optimiser.model import Limits, Plan


def optimise(candidates: Sequence, limits: Limits, *, time_limit_s: float = 60.0, seed: int = 0) -> Plan:
    raise NotImplementedError("optimise() is being written; the contract is planning.optimiser.model")
