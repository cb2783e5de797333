"""Reads of portfolio planning: a scenario over the live portfolio (scenario.py), project scores
(scores.py) and the CPM engine on an in-memory copy for shifted starts (cpm.py)."""
