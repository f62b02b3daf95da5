from django.urls import path

from hezhang.features import views

app_name = "features"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("api", views.openapi, name="openapi"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collections, name="collections"),
    path("collections/<slug:collection_id>", views.collection, name="collection"),
    path("collections/<slug:collection_id>/items", views.items, name="items"),
    path("collections/<slug:collection_id>/items/<str:feature_id>", views.item, name="item"),
]
