import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hezhang.notifications.models import Channel, OutboxMessage, Status


class OutboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("接收方或相关对象"), method="search")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    channel = django_filters.ChoiceFilter(label=_("发送方式"), choices=Channel.choices)

    class Meta:
        model = OutboxMessage
        fields = ["q", "status", "channel"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(to__icontains=value) | Q(related__icontains=value))
