"""Which records a user may see: their region's subtree, plus, for chiefs, what they are assigned to, and for
delegates, the water bodies they are linked to (代表联系河湖) and those links.

Every list, detail, edit, export and API endpoint narrows its queryset through `visible()`; an object outside
it is simply not found (404), so nobody learns that it exists.
"""

from django.db.models import Q, QuerySet

from hezhang.accounts.models import Role


def region_prefix(user) -> str | None:
    """The code prefix of the user's subtree; "" means everything; None means nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_platform_admin:
        return ""
    if user.region_id is None:
        return None
    return user.region.path


def _assigned(user):
    from hezhang.registry.models import ChiefAssignment, DelegateLink

    if user.role == Role.DELEGATE:
        rows = DelegateLink.objects.current().filter(delegate=user).values_list("water_body_id", "reach_id")
    else:
        rows = ChiefAssignment.objects.current().filter(chief=user).values_list("water_body_id", "reach_id")
    water_bodies, reaches, whole = set(), set(), set()
    for wb, reach in rows:
        water_bodies.add(wb)
        if reach:
            reaches.add(reach)
        else:
            whole.add(wb)
    return water_bodies, reaches, whole


def _water_body_q(prefix: str) -> Q:
    from hezhang.registry.models import WaterBody

    # A subquery on the crossing table rather than a join, so the list needs no DISTINCT.
    crossing = WaterBody.regions.through.objects.filter(region__path__startswith=prefix).values(
        "waterbody_id"
    )
    return Q(region__path__startswith=prefix) | Q(pk__in=crossing)


def visible(queryset: QuerySet, user) -> QuerySet:
    from hezhang.registry import models as m

    model = queryset.model
    prefix = region_prefix(user)
    if prefix is None:
        return queryset.none()
    if prefix == "":
        return queryset
    chief = user.role in (Role.CHIEF, Role.GRID, Role.DELEGATE)

    if model is m.WaterBody:
        q = _water_body_q(prefix)
        if chief:
            water_bodies, _, _ = _assigned(user)
            q |= Q(pk__in=water_bodies)
        return queryset.filter(q)
    if model is m.Reach:
        q = Q(region__path__startswith=prefix)
        if chief:
            _, reaches, whole = _assigned(user)
            q |= Q(pk__in=reaches) | Q(water_body_id__in=whole)
        return queryset.filter(q)
    if model is m.DelegateLink and user.role == Role.DELEGATE:
        return queryset.filter(Q(region__path__startswith=prefix) | Q(delegate=user))
    scope = getattr(model, "scope_path", None)
    if scope == "path":
        return queryset.filter(path__startswith=prefix)
    if scope and scope.endswith("water_body"):
        water_bodies = visible(m.WaterBody.objects.all(), user).values("pk")
        return queryset.filter(**{f"{scope}__in": water_bodies})
    if scope:
        return queryset.filter(**{f"{scope}__startswith": prefix})
    if model._meta.label == "accounts.User":
        return queryset.filter(region__path__startswith=prefix)
    raise TypeError(f"{model.__name__} has no jurisdiction rule (add scope_path)")


def regions_for_choice(user) -> QuerySet:
    from hezhang.registry.models import Region

    return visible(Region.objects.all(), user)


def can_edit(user, obj=None) -> bool:
    """Office staff and admins keep the registry; an object must lie inside the editor's jurisdiction."""
    if not getattr(user, "is_authenticated", False) or not user.can_edit_registry:
        return False
    if obj is None or user.is_platform_admin:
        return True
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
