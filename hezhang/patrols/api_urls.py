"""Patrols in the REST API, under /api/v1/ beside the registry and cases (see hezhang/api_urls.py)."""

from django.urls import include, path

from hezhang.patrols import api

v1 = [
    path("patrols/", api.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/import-gpx/", api.PatrolGpxImportView.as_view(), name="patrol-import-gpx"),
    path("patrols/nearby-reaches/", api.NearbyReachesView.as_view(), name="patrol-nearby"),
    path("patrols/checklist/", api.ChecklistView.as_view(), name="patrol-checklist"),
    path("patrols/<int:pk>/", api.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/<int:pk>/points/", api.PatrolPointsView.as_view(), name="patrol-points"),
    path("patrols/<int:pk>/end/", api.PatrolEndView.as_view(), name="patrol-end"),
]

urlpatterns = [path("", include((v1, "v1"), namespace="v1"))]
