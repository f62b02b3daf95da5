from django.urls import path

from hezhang.onemap import views

app_name = "onemap"

urlpatterns = [
    path("", views.page, name="page"),
    path("layers/<slug:name>/", views.layer, name="layer"),
    path("search/", views.search, name="search"),
    path("info/<slug:name>/<int:pk>/", views.info, name="info"),
]
