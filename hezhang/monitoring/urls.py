from django.urls import path

from hezhang.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.Overview.as_view(), name="overview"),
    path("sections/<int:pk>/", views.SectionPage.as_view(), name="section"),
    path("samples/", views.SampleList.as_view(), name="samples"),
    path("samples/new/", views.SampleCreate.as_view(), name="sample_new"),
    path("import/", views.ImportPage.as_view(), name="import"),
    path("stations/", views.StationList.as_view(), name="stations"),
    path("stations/new/", views.StationEdit.as_view(), name="station_new"),
    path("stations/<int:pk>/", views.StationPage.as_view(), name="station"),
    path("stations/<int:pk>/edit/", views.StationEdit.as_view(), name="station_edit"),
    path("readings/", views.ReadingList.as_view(), name="readings"),
    path("readings/new/", views.ReadingCreate.as_view(), name="reading_new"),
    path("alerts/", views.AlertList.as_view(), name="alerts"),
    path("alerts/<int:pk>/", views.AlertPage.as_view(), name="alert"),
    path("rules/", views.RuleList.as_view(), name="rules"),
    path("rules/new/", views.RuleEdit.as_view(), name="rule_new"),
    path("rules/<int:pk>/", views.RuleEdit.as_view(), name="rule_edit"),
]
