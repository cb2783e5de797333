from django.urls import path

from . import views

app_name = "portfolio"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.program_list, name="program-list"),
    path("programs/<str:code>/", views.program_detail, name="program-detail"),
    path("programs/<str:code>/edit/", views.program_edit, name="program-edit"),
    path("programs/<str:code>/timeline/", views.program_timeline_view, name="program-timeline"),
]
