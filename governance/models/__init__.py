"""Program governance: stage gates and their checklists, change requests and their budget lines,
the decision log, the benefits register and operating level agreements.

- gates.py: StageGate, GateCriterion
- changes.py: ChangeRequest, ChangeRequestLine
- program.py: Decision, Benefit, BenefitMeasurement, OperatingLevelAgreement, OlaTarget
"""

from .changes import ChangeRequest, ChangeRequestLine
from .gates import GATED_PHASES, PHASE_ORDER, GateCriterion, StageGate, phase_index, previous_phase
from .program import Benefit, BenefitMeasurement, Decision, OlaTarget, OperatingLevelAgreement

__all__ = [
    "GATED_PHASES",
    "PHASE_ORDER",
    "Benefit",
    "BenefitMeasurement",
    "ChangeRequest",
    "ChangeRequestLine",
    "Decision",
    "GateCriterion",
    "OlaTarget",
    "OperatingLevelAgreement",
    "StageGate",
    "phase_index",
    "previous_phase",
]
