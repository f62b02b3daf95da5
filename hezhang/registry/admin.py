from django.contrib import admin

from hezhang.registry import models as m


def _site_is_for_system_admins(request) -> bool:
    # Office staff keep the registry through 资料管理, which enforces jurisdiction; the admin site does not.
    user = request.user
    return user.is_active and user.is_staff and user.is_platform_admin


admin.site.has_permission = _site_is_for_system_admins


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "pinyin"]
    raw_id_fields = ["parent"]


@admin.register(m.WaterBody)
class WaterBodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "pinyin"]
    raw_id_fields = ["parent", "region"]
    filter_horizontal = ["regions"]


@admin.register(m.Reach)
class ReachAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "water_body", "region", "length_m"]
    search_fields = ["code", "name", "pinyin"]
    raw_id_fields = ["water_body", "region"]


@admin.register(m.ChiefAssignment)
class ChiefAssignmentAdmin(admin.ModelAdmin):
    list_display = ["chief", "level", "water_body", "reach", "region", "start_date", "end_date"]
    list_filter = ["level"]
    raw_id_fields = ["chief", "water_body", "reach", "region"]


@admin.register(m.DelegateLink)
class DelegateLinkAdmin(admin.ModelAdmin):
    list_display = ["delegate", "water_body", "reach", "region", "start_date", "end_date"]
    raw_id_fields = ["delegate", "water_body", "reach", "region"]


for model in (
    m.Grid,
    m.Dossier,
    m.DossierAttachment,
    m.RiverPlan,
    m.PlanTask,
    m.Signboard,
    m.Asset,
    m.Section,
    m.Outfall,
    m.Office,
    m.Department,
):
    admin.site.register(model, admin.ModelAdmin)
