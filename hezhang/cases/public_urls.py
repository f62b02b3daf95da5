from django.urls import path

from hezhang.cases import public

app_name = "public-cases"

urlpatterns = [
    path("report/", public.report, name="report"),
    path("report/nearby/", public.nearby, name="nearby"),
    path("track/", public.track, name="track"),
    path("map/", public.map_page, name="map"),
    path("map/cases.geojson", public.map_data, name="map-data"),
    path("cases/<str:number>/", public.case_page, name="case"),
    path("cases/<str:number>/done/", public.done, name="done"),
    path("cases/<str:number>/<slug:action>/", public.follow_up, name="follow-up"),
]
