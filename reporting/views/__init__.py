"""Pages that combine domains or read the summary tables. They keep the URL names of the domain
whose objects they show (`portfolio:program-detail`, `budgets:program-costs` …): reporting/urls.py
lists them per namespace and config/urls.py includes them into that namespace, so every
`reverse()` and `{% url %}` is unchanged.

- home.py: the home page by role (portfolio:home) and the global search (reporting:search)
- portfolio.py, projects.py: program list, program page, project list
- program_costs.py: a program's money (budgets:program-costs)
- program_staffing.py: a program's staffing (staffing:program-staffing)
- program_governance.py: a program's governance overview (governance:program-governance)
- board.py: a portfolio's health board and its Excel workbook (reporting:portfolio-board, -export)
- health_policy.py: a portfolio's health thresholds (reporting:health-thresholds)
- trends.py: the trend charts of a program and a project (reporting:program-trends, project-trends)
- jobs.py: the administrators' full recompute (reporting:recompute-all)
- reports.py: the board pack as PDF (reporting:portfolio-report-pdf, program-report-pdf)
"""
