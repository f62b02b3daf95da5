"""Which patrols: one FilterSet for the office's patrol list and the API."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.patrols.models import Patrol, PatrolRole, Source
from hezhang.registry.models import Reach, Region, WaterBody


class PatrolFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="search")
    region = filters.ModelChoiceFilter(label=_("行政区"), queryset=Region.objects.none(), method="in_region")
    role = filters.ChoiceFilter(label=_("身份"), choices=PatrolRole.choices)
    source = filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    is_valid = filters.BooleanFilter(label=_("有效巡河"))
    open = filters.BooleanFilter(label=_("进行中"), field_name="ended_at", lookup_expr="isnull")
    started_after = filters.DateFilter(
        label=_("开始日期自"), field_name="started_at", lookup_expr="date__gte"
    )
    started_before = filters.DateFilter(
        label=_("开始日期至"), field_name="started_at", lookup_expr="date__lte"
    )
    # Patrols of one water body or reach: followed from its page or a workbench, never picked from a list (a
    # province has too many to offer), so hidden; the list names the one chosen.
    water_body = filters.ModelChoiceFilter(
        label=_("水体"), queryset=WaterBody.objects.none(), method="on_water_body", widget=forms.HiddenInput
    )
    reach = filters.ModelChoiceFilter(
        label=_("河段"), queryset=Reach.objects.none(), method="on_reach", widget=forms.HiddenInput
    )

    class Meta:
        model = Patrol
        fields = [
            "q",
            "region",
            "role",
            "source",
            "is_valid",
            "open",
            "started_after",
            "started_before",
            "water_body",
            "reach",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        user = user or getattr(request, "user", None)
        if user is not None:
            self.filters["region"].queryset = visible(Region.objects.all(), user)
            self.filters["water_body"].queryset = visible(WaterBody.objects.all(), user)
            self.filters["reach"].queryset = visible(Reach.objects.all(), user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(patroller__name__icontains=value)
            | Q(patroller__username__icontains=value)
            | Q(reaches__name__icontains=value)
            | Q(reaches__code__icontains=value)
        ).distinct()

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)

    def on_water_body(self, queryset, name, value):
        walked = Patrol.reaches.through.objects.filter(reach__water_body=value).values("patrol_id")
        return queryset.filter(pk__in=walked)

    def on_reach(self, queryset, name, value):
        walked = Patrol.reaches.through.objects.filter(reach=value).values("patrol_id")
        return queryset.filter(pk__in=walked)
