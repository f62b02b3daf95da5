"""Which patrols a user sees: offices their region's patrols; a patroller their own."""

from django.db.models import Q, QuerySet

from hezhang.accounts.jurisdiction import region_prefix
from hezhang.accounts.models import Role


def visible_patrols(queryset: QuerySet, user) -> QuerySet:
    prefix = region_prefix(user)
    if prefix is None:
        return queryset.none()
    mine = Q(patroller=user)
    if user.role in (Role.OFFICE, Role.ADMIN) or user.is_platform_admin:
        if prefix == "":
            return queryset
        return queryset.filter(Q(region__path__startswith=prefix) | mine)
    return queryset.filter(mine)
