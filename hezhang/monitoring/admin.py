from django.contrib import admin

from hezhang.monitoring.forms import StationForm
from hezhang.monitoring.models import (
    Alert,
    AlertEvent,
    AlertRule,
    Evaluation,
    FrameLog,
    Reading,
    Sample,
    Station,
)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    form = StationForm
    list_display = ["code", "name", "kind", "region", "section", "mn", "active", "last_seen_at"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "mn"]
    raw_id_fields = ["region", "section"]


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["section", "taken_at", "source", "interval", "water_class"]
    list_filter = ["source", "interval", "water_class"]
    raw_id_fields = ["section", "station", "created_by"]
    date_hierarchy = "taken_at"


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["section", "period", "start", "water_class", "target_class", "meets_target", "samples"]
    list_filter = ["period", "meets_target"]
    raw_id_fields = ["section"]


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ["station", "observed_at", "water_level", "flow", "rainfall", "source"]
    raw_id_fields = ["station"]
    date_hierarchy = "observed_at"


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "parameter", "threshold", "opens_case", "active"]
    list_filter = ["kind", "active", "opens_case"]
    raw_id_fields = ["region", "section", "station"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    readonly_fields = ["action", "at", "actor", "note", "data"]
    can_delete = False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "kind", "message", "occurrences", "cleared_at", "case"]
    list_filter = ["kind"]
    raw_id_fields = ["rule", "section", "station", "region", "case"]
    inlines = [AlertEventInline]


@admin.register(FrameLog)
class FrameLogAdmin(admin.ModelAdmin):
    list_display = ["received_at", "peer", "mn", "error", "message"]
    list_filter = ["error"]
    readonly_fields = ["received_at", "peer", "mn", "error", "message", "raw"]
