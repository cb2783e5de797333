"""Writes of the reporting app: enqueueing (enqueue.py), recomputing summaries (rollups.py)."""
