"""Which samples, readings and alerts: one FilterSet each for the pages and the API."""

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.monitoring.models import (
    WATER_CLASSES,
    Alert,
    AlertKind,
    Interval,
    Reading,
    Sample,
    Source,
    Station,
)
from hezhang.registry.models import Region, Section

DATE = forms.DateInput(attrs={"type": "date"})


class _Scoped(filters.FilterSet):
    """Choices (regions, sections, stations) narrowed to what the user may see."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        user = user or getattr(request, "user", None)
        if user is None:
            return
        for name, model in (("region", Region), ("section", Section), ("station", Station)):
            if name in self.filters:
                self.filters[name].queryset = visible(model.objects.all(), user)

    def in_region(self, queryset, name, value):
        return queryset.filter(**{f"{self.region_path}__startswith": value.path})


class SampleFilterSet(_Scoped):
    region_path = "section__region__path"
    region = filters.ModelChoiceFilter(label=_("行政区"), queryset=Region.objects.none(), method="in_region")
    section = filters.ModelChoiceFilter(label=_("断面"), queryset=Section.objects.none())
    station = filters.ModelChoiceFilter(label=_("监测站"), queryset=Station.objects.none())
    source = filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    interval = filters.ChoiceFilter(label=_("数据类型"), choices=Interval.choices)
    water_class = filters.ChoiceFilter(label=_("水质类别"), choices=WATER_CLASSES)
    since = filters.DateFilter(label=_("日期自"), field_name="taken_at", lookup_expr="date__gte", widget=DATE)
    until = filters.DateFilter(label=_("日期至"), field_name="taken_at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = Sample
        fields = ["region", "section", "station", "source", "interval", "water_class", "since", "until"]


class ReadingFilterSet(_Scoped):
    region_path = "station__region__path"
    region = filters.ModelChoiceFilter(label=_("行政区"), queryset=Region.objects.none(), method="in_region")
    station = filters.ModelChoiceFilter(label=_("监测站"), queryset=Station.objects.none())
    since = filters.DateFilter(
        label=_("日期自"), field_name="observed_at", lookup_expr="date__gte", widget=DATE
    )
    until = filters.DateFilter(
        label=_("日期至"), field_name="observed_at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = Reading
        fields = ["region", "station", "since", "until"]


class AlertFilterSet(_Scoped):
    region_path = "region__path"
    region = filters.ModelChoiceFilter(label=_("行政区"), queryset=Region.objects.none(), method="in_region")
    kind = filters.ChoiceFilter(label=_("类型"), choices=AlertKind.choices)
    open = filters.BooleanFilter(label=_("未解除"), field_name="cleared_at", lookup_expr="isnull")
    section = filters.ModelChoiceFilter(label=_("断面"), queryset=Section.objects.none())
    station = filters.ModelChoiceFilter(label=_("监测站"), queryset=Station.objects.none())
    since = filters.DateFilter(
        label=_("日期自"), field_name="opened_at", lookup_expr="date__gte", widget=DATE
    )

    class Meta:
        model = Alert
        fields = ["region", "kind", "open", "section", "station", "since"]
