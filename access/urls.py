from django.urls import path

from . import oidc, views

app_name = "access"
urlpatterns = [
    path("access/", views.people, name="people"),
    path("access/invite/", views.invite, name="invite"),
    path("access/people/<int:pk>/", views.person_detail, name="person"),
    path("access/people/<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("access/people/<int:pk>/reactivate/", views.person_reactivate, name="person-reactivate"),
    path("access/memberships/<int:pk>/revoke/", views.membership_revoke, name="membership-revoke"),
    path("access/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("access/<str:kind>/<str:code>/", views.scope_access, name="scope"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("sso/authenticate/", oidc.SsoStartView.as_view(), name="oidc-start"),
    path("sso/callback/", oidc.SsoCallbackView.as_view(), name="oidc-callback"),
]
