from django.urls import path

from hezhang.registry import public

app_name = "public"

urlpatterns = [
    path("", public.search, name="search"),
    path("reaches.geojson", public.reaches_layer, name="reaches-layer"),
    path("reaches/<str:code>/", public.reach_page, name="reach"),
    path("water-bodies/<str:code>/", public.water_body_page, name="water-body"),
    path("signboards/<str:code>/qr.png", public.signboard_qr, name="signboard-qr"),
]
