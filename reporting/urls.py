"""The pages of reporting/views, by the namespace whose names they keep. config/urls.py includes
each list into that namespace together with the domain's own urlpatterns, so
`reverse("portfolio:program-detail")` and every template's `{% url %}` stay as they were."""

from django.urls import path

from .views import portfolio, projects

portfolio_urlpatterns = [
    path("", portfolio.home, name="home"),
    path("programs/", portfolio.program_list, name="program-list"),
    path("programs/<str:code>/", portfolio.program_detail, name="program-detail"),
]

projects_urlpatterns = [
    path("projects/", projects.project_list_view, name="project-list"),
]
