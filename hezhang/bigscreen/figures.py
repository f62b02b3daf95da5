"""What the command centre's big screen shows, computed for the user's jurisdiction in one call."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hezhang.accounts.jurisdiction import visible
from hezhang.cases.access import visible_cases
from hezhang.cases.models import Case
from hezhang.monitoring.overview import CLASS_COLOURS, CLASS_NAMES, latest_by_section
from hezhang.onemap.layers import View, heat_layer, registry_layer
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.frequency import patrol_status, rate_by_subregion
from hezhang.patrols.models import Patrol

FEED = 20


def screen(user) -> dict:
    now = timezone.localtime()
    today = now.date()
    first = today.replace(day=1)
    since_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since_month = since_day.replace(day=1)
    region = None if user.is_platform_admin else user.region
    cases = visible_cases(Case.objects.all(), user)
    patrols = visible_patrols(Patrol.objects.all(), user)
    month_cases = cases.filter(created_at__gte=since_month)
    reported = month_cases.count()
    closed = month_cases.filter(state__is_open=False, state__is_fixed=True).count()
    statuses = patrol_status(region, first, today)
    met = sum(1 for s in statuses if s.met)
    ranking = [
        {"name": row.label, "rate": round((row.rate or 0) * 100, 1)}
        for row in rate_by_subregion(statuses, region)
        if row.rank is not None
    ]
    by_category = (
        cases.filter(state__is_open=True).values("category__name").annotate(n=Count("id")).order_by("-n")[:8]
    )
    open_cases = cases.filter(state__is_open=True, state__is_fixed=False).select_related("category", "state")
    feed = [
        {
            "kind": "case",
            "at": timezone.localtime(c.created_at).strftime("%m-%d %H:%M"),
            "text": f"{c.category.display_name} · {c.region.name if c.region_id else ''}",
            "state": c.state.display_label,
        }
        for c in cases.select_related("category", "state", "region").order_by("-created_at")[:FEED]
    ] + [
        {
            "kind": "patrol",
            "at": timezone.localtime(p.started_at).strftime("%m-%d %H:%M"),
            "text": f"{p.patroller} · {p.region.name if p.region_id else ''}",
            "state": _("进行中") if p.ended_at is None else (_("有效") if p.is_valid else _("无效")),
        }
        for p in patrols.select_related("patroller", "region").order_by("-started_at")[:FEED]
    ]
    feed.sort(key=lambda item: item["at"], reverse=True)
    view = View(user, None, None, first, today)
    return {
        "at": now.strftime("%Y-%m-%d %H:%M:%S"),
        "region": region.full_name if region else "",
        "kpis": {
            "patrols_today": patrols.filter(started_at__gte=since_day).count(),
            "patrolling_now": patrols.filter(
                ended_at=None, last_point_at__gte=now - datetime.timedelta(minutes=30)
            ).count(),
            "patrol_rate": round(met / len(statuses) * 100, 1) if statuses else None,
            "open_cases": open_cases.count(),
            "overdue_cases": cases.filter(
                Q(state__in=["assigned", "in_progress"]), deadline__lt=timezone.now()
            ).count(),
            "closure_rate": round(closed / reported * 100, 1) if reported else None,
            "reported_month": reported,
        },
        "ranking": ranking[:12],
        "categories": [{"name": row["category__name"], "n": row["n"]} for row in by_category],
        "feed": feed[:FEED],
        "cases": [[c.lat, c.lon, c.is_overdue] for c in open_cases[:3000]],
        "heat": heat_layer(view)["points"],
        "reaches": registry_layer("reaches", View(user, None, 10, first, today)),
        "water_quality": water_quality(user),
    }


def water_quality(user) -> dict:
    """Sections by the class of their latest monthly evaluation, and where they are (coloured dots)."""
    from hezhang.registry.models import Section

    sections = list(visible(Section.objects.exclude(geometry=None), user).only("pk", "name", "geometry"))
    latest = latest_by_section([s.pk for s in sections])
    counts = dict.fromkeys(range(1, 7), 0)
    points = []
    for section in sections:
        found = latest.get(section.pk)
        cls = found.month_class if found and found.month_class else (found.water_class if found else None)
        if cls:
            counts[cls] += 1
        if section.point:
            lon, lat = section.point
            points.append(
                [lat, lon, CLASS_COLOURS.get(cls, "#9aa5b1"), section.name, CLASS_NAMES.get(cls, "")]
            )
    return {
        "classes": [
            {"name": CLASS_NAMES[c], "n": counts[c], "colour": CLASS_COLOURS[c]} for c in range(1, 7)
        ],
        "good": sum(counts[c] for c in (1, 2, 3)),
        "evaluated": sum(counts.values()),
        "sections": points,
    }
