from rest_framework.routers import DefaultRouter

from hezhang.registry.api import VIEWSETS

router = DefaultRouter()
for slug, viewset in VIEWSETS.items():
    router.register(slug, viewset, basename=slug)

urlpatterns = router.urls
