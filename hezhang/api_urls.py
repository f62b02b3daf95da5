from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("v1/", include(("hezhang.registry.api_urls", "registry-api"), namespace="v1")),
    path("v1/", include(("hezhang.cases.api_urls", "cases-api"), namespace="cases-api")),
    path("v1/", include(("hezhang.patrols.api_urls", "patrols-api"), namespace="patrols-api")),
    path("v1/", include(("hezhang.monitoring.api_urls", "monitoring-api"), namespace="monitoring-api")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
