"""Patrols in the REST API, under /api/v1/ beside the registry and cases (see hezhang/api_urls.py)."""

from django.urls import include, path

from hezhang.patrols import api, field_api

v1 = [
    path("patrols/", api.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/import-gpx/", api.PatrolGpxImportView.as_view(), name="patrol-import-gpx"),
    path("patrols/nearby-reaches/", api.NearbyReachesView.as_view(), name="patrol-nearby"),
    path("patrols/checklist/", api.ChecklistView.as_view(), name="patrol-checklist"),
    path("patrols/my-reaches/", field_api.MyReachesView.as_view(), name="patrol-my-reaches"),
    path("patrols/duties/", field_api.DutiesView.as_view(), name="patrol-duties"),
    path("patrols/categories/", field_api.CategoriesView.as_view(), name="patrol-categories"),
    path("patrols/<int:pk>/", api.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/<int:pk>/points/", api.PatrolPointsView.as_view(), name="patrol-points"),
    path("patrols/<int:pk>/end/", api.PatrolEndView.as_view(), name="patrol-end"),
    path("patrols/<int:pk>/photos/", field_api.PatrolPhotoView.as_view(), name="patrol-photos"),
    path("patrols/<int:pk>/cases/", field_api.PatrolCaseView.as_view(), name="patrol-cases"),
]

urlpatterns = [path("", include((v1, "v1"), namespace="v1"))]
