"""Pages that read the summary tables or combine several domains. They keep the URL names they
had in their domain (config/urls.py adds them to the `budgets`, `staffing` and `governance`
namespaces), so every `reverse()` and link is unchanged.

- program_costs.py: a program's money (budgets:program-costs)
- program_staffing.py: a program's staffing (staffing:program-staffing)
- program_governance.py: a program's governance overview (governance:program-governance)
- health_policy.py: a portfolio's health thresholds (reporting:health-thresholds)
"""
