from django.contrib import admin

from hezhang.patrols.models import ChecklistItem, Patrol, PatrolRule, Tracker


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "label", "label_en", "category", "active"]
    list_editable = ["active"]


@admin.register(PatrolRule)
class PatrolRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_duration_min", "min_distance_m", "min_coverage_pct", "buffer_m"]
    list_filter = ["role", "chief_level", "period"]


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["started_at", "patroller", "source", "is_valid", "distance_m", "coverage"]
    list_filter = ["source", "is_valid", "role"]
    raw_id_fields = ["patroller", "region", "rule"]
    filter_horizontal = ["reaches"]
    readonly_fields = ["score", "reasons", "flags"]


@admin.register(Tracker)
class TrackerAdmin(admin.ModelAdmin):
    list_display = ["user", "last_seen", "created_at"]
    raw_id_fields = ["user"]
