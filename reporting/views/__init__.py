"""Pages that combine domains or read the summary tables. They keep the URL names of the domain
whose objects they show (`portfolio:program-detail`, `projects:project-list`): reporting/urls.py
lists them per namespace and config/urls.py includes them into that namespace."""
