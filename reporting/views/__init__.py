"""Pages that combine domains or read the summary tables. Those showing a domain's objects keep
that domain's URL names (`portfolio:program-detail`, `projects:project-list`): reporting/urls.py
lists them per namespace and config/urls.py includes them into that namespace. Reporting's own
pages are in the `reporting` namespace.

- portfolio.py: home, program list, program page; projects.py: the project list
- trends.py: the trend charts of a program and a project (reporting:program-trends, project-trends)
- jobs.py: the administrators' full recompute (reporting:recompute-all)
"""
