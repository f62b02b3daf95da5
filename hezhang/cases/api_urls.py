"""Cases in the REST API, under /api/v1/ beside the registry (see hezhang/api_urls.py).

The routes sit in a nested "v1" namespace (cases-api:v1:…) because the API versions by namespace and the
registry's router already owns the top-level "v1" one.
"""

from django.urls import include, path

from hezhang.cases import api

v1 = [
    path("cases/", api.CaseListView.as_view(), name="case-list"),
    path("cases/<str:number>/", api.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<str:number>/actions/<slug:action>/", api.CaseActionView.as_view(), name="case-action"),
    path("public/reports/", api.PublicReportView.as_view(), name="public-report"),
    path("public/cases/<str:number>/", api.PublicCaseView.as_view(), name="public-case"),
]

urlpatterns = [path("", include((v1, "v1"), namespace="v1"))]
