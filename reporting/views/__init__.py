"""Pages that read the summary tables or combine several domains.

- jobs.py: the administrators' full recompute (reporting:recompute-all)
- trends.py: the trend charts of a program and a project (reporting:program-trends, project-trends)
"""
