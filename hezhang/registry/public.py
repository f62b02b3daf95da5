"""Public pages (no login, mobile first): a reach's or water body's chiefs, supervision phone, plan goals, map.

Only what a signboard would show: chiefs' names and positions, never their personal phone numbers.
"""

import io
import json

import qrcode
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from hezhang.registry.models import ChiefAssignment, Office, Reach, Region, Signboard, WaterBody

# Panels other apps add to the public reach page, so the registry needs to know nothing of them (monitoring adds
# the latest water quality of the reach's sections). Each is a callable (reach) -> (template, context) or None.
REACH_PANELS: list = []


def _offices_for(region: Region) -> list[Office]:
    """The nearest river chief office up the tree first: it is who the public should call."""
    codes = [r.code for r in region.ancestors()] + [region.code]
    offices = {
        o.region.code: o for o in Office.objects.filter(region__code__in=codes).select_related("region")
    }
    return [offices[c] for c in reversed(codes) if c in offices]


def _chiefs(water_body: WaterBody, reach: Reach | None) -> list[dict]:
    q = Q(water_body=water_body, reach=None)
    if reach is not None:
        q |= Q(reach=reach)
    rows = ChiefAssignment.objects.current().filter(q).select_related("chief", "region").order_by("level")
    return [
        {
            "level": a.get_level_display(),
            "name": a.chief.display_name,
            "position": a.chief.position,
            "region": a.region.name,
            "scope": a.reach.name if a.reach_id else water_body.name,
        }
        for a in rows
    ]


def _current_plan(water_body: WaterBody):
    year = timezone.localdate().year
    return water_body.plans.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year").first()


def reach_page(request, code):
    reach = get_object_or_404(Reach.objects.select_related("water_body", "region"), code=code)
    return render(
        request,
        "public/reach.html",
        {
            "reach": reach,
            "water_body": reach.water_body,
            "chiefs": _chiefs(reach.water_body, reach),
            "offices": _offices_for(reach.region),
            "plan": _current_plan(reach.water_body),
            "geometry": json.dumps(reach.geometry) if reach.geometry else "null",
            "region_name": reach.region.full_name,
            "panels": [panel for make in REACH_PANELS if (panel := make(reach)) is not None],
        },
    )


def water_body_page(request, code):
    water_body = get_object_or_404(WaterBody.objects.select_related("region"), code=code)
    reaches = list(water_body.reaches.select_related("region").order_by("code"))
    return render(
        request,
        "public/water_body.html",
        {
            "water_body": water_body,
            "reaches": reaches,
            "chiefs": _chiefs(water_body, None),
            "offices": _offices_for(water_body.region),
            "plan": _current_plan(water_body),
            "geometry": json.dumps(water_body.geometry) if water_body.geometry else "null",
            "region_name": water_body.region.full_name,
        },
    )


def search(request):
    q = request.GET.get("q", "").strip()[:50]
    region_id = request.GET.get("region", "")
    results = WaterBody.objects.select_related("region").order_by("kind", "code")
    region = None
    if region_id.isdigit():
        region = Region.objects.filter(pk=int(region_id)).first()
        if region is not None:
            crossing = WaterBody.regions.through.objects.filter(region__path__startswith=region.path)
            results = results.filter(
                Q(region__path__startswith=region.path) | Q(pk__in=crossing.values("waterbody_id"))
            )
    if q:
        cond = Q(name__icontains=q) | Q(code__iexact=q)
        if q.isascii() and q.isalpha():
            cond |= Q(pinyin__startswith=q.lower())
        results = results.filter(cond)
    searched = bool(q or region)
    page = Paginator(results, 20).get_page(request.GET.get("page")) if searched else None
    # Counties and above first; once one is chosen its townships are offered too (a province has thousands).
    shown = Q(level__lte=3)
    if region is not None:
        shown |= Q(parent=region) | Q(parent=region.parent_id, level=region.level)
    regions = Region.objects.filter(shown).order_by("code")[:1000]
    return render(
        request,
        "public/search.html",
        {"q": q, "region": region, "regions": regions, "page": page, "searched": searched},
    )


def public_reach_url(reach: Reach) -> str:
    return settings.HEZHANG_PUBLIC_BASE_URL.rstrip("/") + reverse("public:reach", kwargs={"code": reach.code})


@cache_control(public=True, max_age=3600)
def signboard_qr(request, code):
    board = get_object_or_404(Signboard.objects.select_related("reach"), code=code)
    image = qrcode.make(public_reach_url(board.reach), box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return HttpResponse(buffer.getvalue(), content_type="image/png")


def reaches_layer(request):
    """Reach lines for public maps (where to tap when reporting): names and codes only, as on the signboards."""
    from django.http import HttpResponseBadRequest, JsonResponse

    from hezhang.registry.mapdata import in_bbox, parse_bbox

    rows = Reach.objects.exclude(geometry=None)
    if request.GET.get("bbox"):
        try:
            rows = in_bbox(rows, parse_bbox(request.GET["bbox"]))
        except ValueError:
            return HttpResponseBadRequest("bbox")
    features = [
        {"type": "Feature", "geometry": r.geometry, "properties": {"name": r.name, "code": r.code}}
        for r in rows.only("name", "code", "geometry")[:5000]
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
