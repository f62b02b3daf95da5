"""Monitoring in the REST API, under /api/v1/monitoring/ (see hezhang/api_urls.py)."""

from django.urls import include, path

from hezhang.monitoring import api

v1 = [
    path("monitoring/samples/", api.SampleListView.as_view(), name="sample-list"),
    path("monitoring/samples/<int:pk>/", api.SampleDetailView.as_view(), name="sample-detail"),
    path("monitoring/sections/<int:pk>/series/", api.SectionSeriesView.as_view(), name="section-series"),
    path("monitoring/readings/", api.ReadingListView.as_view(), name="reading-list"),
    path("monitoring/alerts/", api.AlertListView.as_view(), name="alert-list"),
    path("monitoring/hj212/", api.Hj212View.as_view(), name="hj212"),
]

urlpatterns = [path("", include((v1, "v1"), namespace="v1"))]
