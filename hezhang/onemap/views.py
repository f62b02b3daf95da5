"""河湖一张图: the staff's full-page map, its layers, the search box and the info panel."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from hezhang.accounts.jurisdiction import visible
from hezhang.cases.access import visible_cases
from hezhang.cases.models import Case
from hezhang.monitoring.overview import class_name, latest_by_section
from hezhang.onemap import layers
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.models import Patrol
from hezhang.registry.kinds import KINDS
from hezhang.registry.mapdata import parse_bbox
from hezhang.registry.models import ChiefAssignment, Reach, RiverPlan, WaterBody


def _period(request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    start = parse_date(request.GET.get("start") or "") or today.replace(day=1)
    end = parse_date(request.GET.get("end") or "") or today
    if end < start:
        start, end = end, start
    return start, end


def _home_bbox(user) -> list[float]:
    """Where the map opens: the extent of the user's jurisdiction."""
    from django.db.models import Max, Min

    from hezhang.registry.models import Region

    box = visible(Region.objects.exclude(min_lon=None), user).aggregate(
        a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat")
    )
    values = [box[k] for k in "abcd"]
    return [73.5, 18.0, 135.0, 53.5] if None in values else values


@login_required
def page(request):
    start, end = _period(request)
    return render(
        request,
        "onemap/map.html",
        {
            "start": start,
            "end": end,
            "home": _home_bbox(request.user),
            "is_staff_view": request.user.role != "delegate",
        },
    )


@login_required
def layer(request, name):
    if name not in layers.LAYERS:
        return HttpResponseBadRequest(_("没有这个图层"))
    bbox = None
    if request.GET.get("bbox"):
        try:
            bbox = parse_bbox(request.GET["bbox"])
        except ValueError:
            return HttpResponseBadRequest(_("bbox 应为 西,南,东,北 四个数"))
    try:
        zoom = int(request.GET["zoom"]) if request.GET.get("zoom") else None
    except ValueError:
        return HttpResponseBadRequest(_("zoom 应为整数"))
    start, end = _period(request)
    return JsonResponse(layers.layer(name, layers.View(request.user, bbox, zoom, start, end)))


def _box(obj) -> list[float] | None:
    if getattr(obj, "min_lon", None) is None:
        return None
    return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]


@login_required
def search(request):
    """Rivers, reaches, chiefs, codes and case numbers matching the text, each with where to fly to."""
    text = (request.GET.get("q") or "").strip()
    if len(text) < 1:
        return JsonResponse({"results": []})
    results = []
    match = Q(name__icontains=text) | Q(code__icontains=text) | Q(pinyin__icontains=text.lower())
    for reach in visible(Reach.objects.filter(match), request.user).select_related("water_body")[:8]:
        results.append(
            {"layer": "reaches", "id": reach.pk, "label": f"{reach.name} · {reach.code}", "bbox": _box(reach)}
        )
    for water in visible(WaterBody.objects.filter(match), request.user)[:5]:
        results.append(
            {
                "layer": "water-bodies",
                "id": water.pk,
                "label": f"{water.name} · {water.code}",
                "bbox": _box(water),
            }
        )
    chiefs = (
        visible(ChiefAssignment.objects.current(), request.user)
        .filter(Q(chief__name__icontains=text) | Q(chief__username__icontains=text))
        .select_related("chief", "reach", "water_body")[:8]
    )
    for a in chiefs:
        target = a.reach or a.water_body
        layer = "reaches" if a.reach_id else "water-bodies"
        label = f"{a.chief.display_name}（{a.get_level_display()}）· {target.name}"
        results.append({"layer": layer, "id": target.pk, "label": label, "bbox": _box(target)})
    for case in visible_cases(Case.objects.filter(number__icontains=text), request.user)[:5]:
        d = 0.002
        results.append(
            {
                "layer": "cases-open",
                "id": case.number,
                "label": f"{case.number} {case.title}",
                "bbox": [case.lon - d, case.lat - d, case.lon + d, case.lat + d],
                "url": reverse("cases:detail", args=[case.number]),
            }
        )
    return JsonResponse({"results": results})


def _chiefs(reach: Reach, staff: bool) -> list[dict]:
    rows = (
        ChiefAssignment.objects.current()
        .filter(
            Q(reach=reach)
            | Q(reach=None, water_body=reach.water_body, region__in=[reach.region, *reach.region.ancestors()])
        )
        .select_related("chief")
        .order_by("level")
    )
    return [
        {
            "name": a.chief.display_name,
            "level": a.get_level_display(),
            "position": a.chief.position,
            "phone": a.chief.phone if staff else "",
        }
        for a in rows
    ]


@login_required
def info(request, name, pk):
    """The info panel: what a clicked feature is, who answers for it, what happened there lately."""
    start, end = _period(request)
    if name == "reaches":
        reach = get_object_or_404(
            visible(Reach.objects.select_related("water_body", "region"), request.user), pk=pk
        )
        staff = request.user.role not in ("delegate",)
        patrols = visible_patrols(Patrol.objects.filter(reaches=reach), request.user).select_related(
            "patroller"
        )
        plan = RiverPlan.objects.filter(water_body=reach.water_body).order_by("-end_year").first()
        cases = visible_cases(Case.objects.filter(reach=reach, state__is_open=True), request.user)
        return JsonResponse(
            {
                "title": reach.name,
                "url": reverse("registry:detail", kwargs={"kind": "reaches", "pk": reach.pk}),
                "facts": [
                    [_("编码"), reach.code],
                    [_("水体"), reach.water_body.name],
                    [_("行政区"), reach.region.full_name],
                    [_("长度"), f"{(reach.length_m or 0) / 1000:.1f} km"],
                    [_("起止"), f"{reach.start_description} — {reach.end_description}"],
                ],
                "chiefs": _chiefs(reach, staff),
                "plan": {"title": plan.title, "goals": plan.goals} if plan else None,
                "patrols": [
                    {
                        "when": timezone.localtime(p.started_at).strftime("%m-%d %H:%M"),
                        "who": str(p.patroller),
                        "valid": p.is_valid,
                        "url": reverse("patrols:detail", args=[p.pk]),
                    }
                    for p in patrols.order_by("-started_at")[:5]
                ],
                "patrols_in_period": patrols.filter(
                    is_valid=True, started_at__date__gte=start, started_at__date__lte=end
                ).count(),
                "cases": [
                    {"number": c.number, "title": c.title, "url": reverse("cases:detail", args=[c.number])}
                    for c in cases.order_by("-created_at")[:5]
                ],
                "water_quality": _reach_quality(reach),
            }
        )
    if name not in layers.REGISTRY_LAYERS:
        return HttpResponseBadRequest(_("没有这个图层"))
    kind = KINDS[name]
    obj = get_object_or_404(visible(kind.model.objects.all(), request.user), pk=pk)
    facts = [[_("编码"), getattr(obj, "code", "")]]
    for attr in ("kind", "level", "target_class"):
        if getattr(obj, attr, None) is not None:
            display = getattr(obj, f"get_{attr}_display", None)
            facts.append(
                [str(obj._meta.get_field(attr).verbose_name), display() if display else getattr(obj, attr)]
            )
    body = {
        "title": str(obj),
        "url": reverse("registry:detail", kwargs={"kind": name, "pk": obj.pk}),
        "facts": facts,
    }
    if name == "sections":
        body["url"] = reverse("monitoring:section", args=[obj.pk])
        body["water_quality"] = _section_quality(obj)
    return JsonResponse(body)


def _section_quality(section) -> str | None:
    latest = latest_by_section([section.pk]).get(section.pk)
    if latest is None or latest.water_class is None:
        return None
    text = _("%(cls)s类（%(when)s）") % {
        "cls": class_name(latest.water_class),
        "when": timezone.localtime(latest.taken_at).strftime("%Y-%m-%d"),
    }
    if latest.meets_target is False:
        text += _("，最近月未达目标")
    return text


def _reach_quality(reach) -> str | None:
    """Each section on the reach with its latest class: "西河断面 III类（2026-05-06）"."""
    parts = []
    for section in reach.sections.order_by("code"):
        quality = _section_quality(section)
        if quality:
            parts.append(f"{section.name} {quality}")
    return "；".join(parts) or None
