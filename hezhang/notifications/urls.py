from django.urls import path

from hezhang.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationList.as_view(), name="list"),
    path("read-all/", views.ReadAll.as_view(), name="read_all"),
    path("<int:pk>/", views.OpenNotification.as_view(), name="open"),
    path("outbox/", views.Outbox.as_view(), name="outbox"),
    path("outbox/<int:pk>/retry/", views.RetryMessage.as_view(), name="retry"),
]
