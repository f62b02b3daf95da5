"""GeoJSON layers for the maps on the workbench, list and detail pages, narrowed to the user's jurisdiction."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from hezhang.accounts.jurisdiction import visible

LAYER_LIMIT = 5000


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in raw.split(",")]
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise ValueError
    return parts[0], parts[1], parts[2], parts[3]


def in_bbox(queryset, box):
    west, south, east, north = box
    return queryset.filter(
        Q(min_lon__lte=east) & Q(max_lon__gte=west) & Q(min_lat__lte=north) & Q(max_lat__gte=south)
    )


def feature(obj, kind, extra=None) -> dict:
    props = {
        "id": obj.pk,
        "name": str(obj),
        "code": getattr(obj, "code", ""),
        "url": reverse("registry:detail", kwargs={"kind": kind.slug, "pk": obj.pk}),
    }
    for attr in ("kind", "level"):
        if hasattr(obj, attr):
            props[attr] = getattr(obj, attr)
    props.update(extra or {})
    return {"type": "Feature", "id": obj.pk, "geometry": obj.geometry, "properties": props}


@login_required
def layer(request, kind):
    if not kind.has_geometry:
        return HttpResponseBadRequest(_("该类记录没有几何"))
    qs = visible(kind.model.objects.exclude(geometry=None), request.user)
    if request.GET.get("bbox"):
        try:
            qs = in_bbox(qs, parse_bbox(request.GET["bbox"]))
        except ValueError:
            return HttpResponseBadRequest(_("bbox 应为 西,南,东,北 四个数"))
    ids = request.GET.get("ids")
    if ids:
        try:
            qs = qs.filter(pk__in=[int(x) for x in ids.split(",") if x])
        except ValueError:
            return HttpResponseBadRequest(_("ids 应为逗号分隔的整数"))
    rows = list(qs.order_by("pk")[: LAYER_LIMIT + 1])
    truncated = len(rows) > LAYER_LIMIT
    extra = {}
    if kind.slug in ("reaches", "water-bodies"):
        extra = chief_names(rows, kind)
    body = {
        "type": "FeatureCollection",
        "features": [feature(o, kind, extra.get(o.pk)) for o in rows[:LAYER_LIMIT]],
        "truncated": truncated,
    }
    return JsonResponse(body)


def chief_names(rows, kind) -> dict[int, dict]:
    from hezhang.registry.models import ChiefAssignment

    field = "reach_id" if kind.slug == "reaches" else "water_body_id"
    ids = [o.pk for o in rows]
    out: dict[int, dict] = {}
    assignments = (
        ChiefAssignment.objects.current()
        .filter(**{f"{field}__in": ids})
        .select_related("chief")
        .order_by("level")
    )
    for a in assignments:
        entry = out.setdefault(getattr(a, field), {"chiefs": []})
        entry["chiefs"].append(f"{a.get_level_display()}河长 {a.chief.display_name}")
    return out
