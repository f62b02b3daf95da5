from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hezhang.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started", "last_finished", "runs", "failed"]
    search_fields = ["name"]
    readonly_fields = ["name", "last_started", "last_finished", "runs", "last_error"]

    @admin.display(boolean=True, description=_("出错"))
    def failed(self, obj: JobRun) -> bool:
        return bool(obj.last_error)

    # The workers keep these rows; people only read them.
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
