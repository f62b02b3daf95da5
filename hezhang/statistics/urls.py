from django.urls import path

from hezhang.statistics import views

app_name = "statistics"

urlpatterns = [path("", views.Statistics.as_view(), name="overview")]
