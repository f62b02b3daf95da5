from django.urls import path

from hezhang.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.Dispatch.as_view(), name="dispatch"),
    path("mine/", views.Mine.as_view(), name="mine"),
    path("new/", views.New.as_view(), name="new"),
    path("bulk/", views.Bulk.as_view(), name="bulk"),
    path("geojson/", views.geojson, name="geojson"),
    path("categories/", views.Categories.as_view(), name="categories"),
    path("categories/<int:pk>/", views.Categories.as_view(), name="category"),
    path("<str:number>/", views.Detail.as_view(), name="detail"),
    path("<str:number>/act/<slug:action>/", views.Act.as_view(), name="act"),
]
