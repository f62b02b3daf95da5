from django.urls import path

from hezhang.patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.PatrolList.as_view(), name="list"),
    path("tracker/", views.TrackerSetup.as_view(), name="tracker"),
    path("<int:pk>/", views.PatrolDetail.as_view(), name="detail"),
    path("<int:pk>/gpx/", views.gpx, name="gpx"),
]
