"""The one /api/v1/ router. Each app registers its viewsets here: plural kebab-case names."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

app_name = "api"
urlpatterns = router.urls
