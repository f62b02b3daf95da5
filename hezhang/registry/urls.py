from django.urls import path

from hezhang.registry import mapdata, transfer, views
from hezhang.registry.kinds import KindConverter  # noqa: F401  (registers the <kind:…> converter)

app_name = "registry"

urlpatterns = [
    path("", views.IndexPage.as_view(), name="index"),
    path("<kind:kind>/", views.ListPage.as_view(), name="list"),
    path("<kind:kind>/geojson/", mapdata.layer, name="geojson"),
    path("<kind:kind>/new/", views.EditPage.as_view(), name="create"),
    path("<kind:kind>/import/", transfer.ImportPage.as_view(), name="import"),
    path("<kind:kind>/template.<str:fmt>", transfer.template_download, name="template"),
    path("<kind:kind>/export.<str:fmt>", transfer.export, name="export"),
    path("<kind:kind>/<int:pk>/", views.DetailPage.as_view(), name="detail"),
    path("<kind:kind>/<int:pk>/edit/", views.EditPage.as_view(), name="edit"),
    path("<kind:kind>/<int:pk>/delete/", views.DeletePage.as_view(), name="delete"),
    path(
        "dossiers/<int:pk>/attachments/", views.DossierAttachmentUpload.as_view(), name="dossier-attachment"
    ),
    path("<kind:kind>/<int:pk>/history/", views.HistoryPage.as_view(), name="history"),
]
