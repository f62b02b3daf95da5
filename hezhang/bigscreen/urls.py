from django.urls import path

from hezhang.bigscreen import views

app_name = "bigscreen"

urlpatterns = [
    path("", views.page, name="page"),
    path("data/", views.data, name="data"),
]
