from django.urls import path

from hezhang.patrols import field_app, rate_views, views

app_name = "patrols"

urlpatterns = [
    path("", views.PatrolList.as_view(), name="list"),
    path("tracker/", views.TrackerSetup.as_view(), name="tracker"),
    path("rates/", rate_views.PatrolRates.as_view(), name="rates"),
    path("blank-spots/", rate_views.BlankSpots.as_view(), name="blank_spots"),
    path("app/", field_app.app, name="app"),
    path("app/manifest.webmanifest", field_app.manifest, name="app-manifest"),
    path("app/sw.js", field_app.service_worker, name="app-sw"),
    path("app/icon-<int:size>.png", field_app.icon, name="app-icon"),
    path("<int:pk>/", views.PatrolDetail.as_view(), name="detail"),
    path("<int:pk>/gpx/", views.gpx, name="gpx"),
]
