"""Pages that read the summary tables or combine several domains.

- jobs.py: the administrators' full recompute (reporting:recompute-all)
"""
