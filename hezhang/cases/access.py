"""Which cases a user sees: their region's cases, what they are assigned, what they answer for or reported."""

from django.db.models import Q, QuerySet

from hezhang.accounts.jurisdiction import region_prefix
from hezhang.accounts.models import Role


def visible_cases(queryset: QuerySet, user) -> QuerySet:
    prefix = region_prefix(user)
    if prefix is None:
        return queryset.none()
    if prefix == "":
        return queryset
    mine = Q(handler=user) | Q(reporter=user)
    if user.role == Role.OFFICE:
        q = Q(region__path__startswith=prefix) | Q(office__region__path__startswith=prefix)
        q |= Q(handling_office__region__path__startswith=prefix)
    elif user.role == Role.DEPARTMENT:
        q = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    else:
        q = Q(region__path__startswith=prefix) | Q(
            pk__in=queryset.model.chiefs.through.objects.filter(user=user).values("case_id")
        )
    return queryset.filter(q | mine)
