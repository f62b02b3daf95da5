"""Which cases: one FilterSet for the dispatch centre's lists and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.accounts.jurisdiction import visible
from hezhang.cases.models import Case, CaseCategory, CaseState, Channel
from hezhang.cases.workflow import OPEN_WORK
from hezhang.registry.models import Department, Region

QUEUES = {
    "new": _("待受理"),
    "verify": _("待核查"),
    "overdue": _("已超期"),
    "supervised": pgettext_lazy("flag", "督办"),
    "long_term": _("挂账"),
    "open": _("全部未结"),
    "closed": _("已结"),
}


def queue_q(key: str) -> Q:
    """The cases in one of the dispatch centre's queues (evaluated now, as overdue depends on the time)."""
    return {
        "new": Q(state="reported"),
        "verify": Q(state__in=["completed", "verified"]),
        "overdue": Q(state__in=OPEN_WORK, deadline__lt=timezone.now()),
        "supervised": Q(state__is_open=True, is_supervised=True),
        "long_term": Q(state="long_term"),
        "open": Q(state__is_open=True),
        "closed": Q(state__is_open=False),
    }[key]


class CaseFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="search")
    queue = filters.ChoiceFilter(label=_("队列"), choices=list(QUEUES.items()), method="in_queue")
    region = filters.ModelChoiceFilter(label=_("行政区"), queryset=Region.objects.all(), method="in_region")
    category = filters.ModelChoiceFilter(label=_("问题类别"), queryset=CaseCategory.objects.all())
    channel = filters.ChoiceFilter(label=_("来源渠道"), choices=Channel.choices)
    state = filters.ModelChoiceFilter(label=_("状态"), queryset=CaseState.objects.all())
    department = filters.ModelChoiceFilter(label=_("处置部门"), queryset=Department.objects.all())
    reported = filters.ChoiceFilter(label=_("上报人"), choices=[("me", _("我反映的"))], method="reported_by")

    class Meta:
        model = Case
        fields = ["q", "queue", "region", "category", "channel", "state", "department", "reported"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["region"].queryset = visible(Region.objects.filter(level__lte=4), user)
            self.filters["department"].queryset = visible(Department.objects.all(), user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(address__icontains=value)
        )

    def in_queue(self, queryset, name, value):
        return queryset.filter(queue_q(value)) if value in QUEUES else queryset

    def reported_by(self, queryset, name, value):
        """The cases the user reported themselves (a delegate's 反映的问题, a chief's findings)."""
        user = getattr(self.request, "user", None)
        if value != "me" or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(reporter=user)

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path) if value else queryset
