"""Which patrols: one FilterSet for the office's patrol list and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.patrols.models import Patrol, PatrolRole, Source
from hezhang.registry.models import Region


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

    class Meta:
        model = Patrol
        fields = ["q", "region", "role", "source", "is_valid", "open", "started_after", "started_before"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        user = user or getattr(request, "user", None)
        if user is not None:
            self.filters["region"].queryset = visible(Region.objects.all(), user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(patroller__name__icontains=value)
            | Q(patroller__username__icontains=value)
            | Q(reaches__name__icontains=value)
            | Q(reaches__code__icontains=value)
        ).distinct()

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)
