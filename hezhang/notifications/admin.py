from django.contrib import admin

from hezhang.notifications.models import Notification, OutboxMessage


class ReadOnly(admin.ModelAdmin):
    # Written by the workflow and the worker; the outbox page is where admins act (retry).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["created_at", "recipient", "event", "title", "read_at"]
    list_filter = ["event"]
    search_fields = ["title", "recipient__username", "recipient__name"]
    raw_id_fields = ["recipient"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = ["created_at", "channel", "to", "template", "related", "status", "attempts", "provider"]
    list_filter = ["status", "channel", "template", "provider"]
    search_fields = ["to", "related", "body"]
