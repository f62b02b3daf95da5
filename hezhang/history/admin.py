from django.contrib import admin

from hezhang.history.models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_repr", "actor", "source"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr"]

    # The record of changes is append-only: nobody edits or deletes history, not even an admin.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
