"""统计分析: patrols and cases of a region over a period, by sub-region, level, channel, category, state and time.

Reusable functions (the assessment of chiefs will call them): each takes a region (None: everywhere) and a date
range and aggregates in SQL, one query per table, never one per row. Statistics read every app and are read by
none, so this module may import from cases and patrols; nothing imports it but its pages and assessment.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from hezhang.cases.models import Case, CaseCategory, CaseState, Channel
from hezhang.patrols.frequency import blank_spots, patrol_status, rate_by_level, rate_by_subregion
from hezhang.patrols.models import Patrol
from hezhang.registry.models import Region


def _window(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.max)),
    )


def _in_region(rows, region: Region | None, path: str = "region__path"):
    return rows.filter(**{f"{path}__startswith": region.path}) if region else rows


def _children(region: Region | None) -> list[Region]:
    rows = Region.objects.filter(parent=region) if region else Region.objects.filter(parent=None)
    return list(rows.order_by("code"))


def _child_of(children: list[Region], path: str | None) -> Region | None:
    if not path:
        return None
    for child in children:
        if path.startswith(child.path):
            return child
    return None


@dataclass
class Row:
    key: str
    label: str
    values: dict = field(default_factory=dict)
    region: Region | None = None


def _hours(delta) -> float | None:
    return round(delta.total_seconds() / 3600, 1) if delta else None


def patrol_figures(region: Region | None, start: datetime.date, end: datetime.date) -> dict:
    """Patrols: totals, by sub-region (with patrol rate and rank), by level, and blank spots."""
    since, until = _window(start, end)
    patrols = _in_region(Patrol.objects.filter(started_at__gte=since, started_at__lte=until), region)
    totals = patrols.aggregate(
        count=Count("id"),
        valid=Count("id", filter=Q(is_valid=True)),
        distance=Sum("distance_m", filter=Q(is_valid=True)),
        patrollers=Count("patroller", distinct=True),
    )
    children = _children(region)
    by_path = patrols.values("region__path").annotate(
        count=Count("id"),
        valid=Count("id", filter=Q(is_valid=True)),
        distance=Sum("distance_m", filter=Q(is_valid=True)),
    )
    rows = {c.pk: Row(c.path, c.name, {"count": 0, "valid": 0, "distance_km": 0.0}, c) for c in children}
    for line in by_path:
        child = _child_of(children, line["region__path"])
        if child is None:
            continue
        row = rows[child.pk]
        row.values["count"] += line["count"]
        row.values["valid"] += line["valid"]
        row.values["distance_km"] += (line["distance"] or 0) / 1000
    statuses = patrol_status(region, start, end)
    rates = {r.key: r for r in rate_by_subregion(statuses, region)}
    for row in rows.values():
        rate = rates.get(row.key)
        row.values["rate"] = rate.percent if rate else "—"
        row.values["rank"] = rate.rank if rate else None
        row.values["distance_km"] = round(row.values["distance_km"], 1)
    met = sum(1 for s in statuses if s.met)
    return {
        "count": totals["count"],
        "valid": totals["valid"],
        "valid_share": f"{totals['valid'] / totals['count']:.0%}" if totals["count"] else "—",
        "distance_km": round((totals["distance"] or 0) / 1000, 1),
        "patrollers": totals["patrollers"],
        "rate": f"{met / len(statuses):.1%}" if statuses else "—",
        "required": len(statuses),
        "met": met,
        "by_region": sorted(
            rows.values(), key=lambda r: (r.values["rank"] is None, r.values["rank"] or 0, r.key)
        ),
        "by_level": rate_by_level(statuses),
        "blank_spots": blank_spots(region, start, end).count(),
    }


def case_figures(region: Region | None, start: datetime.date, end: datetime.date) -> dict:
    """Cases reported in the period: totals, closure rate, times to accept and close, satisfaction, breakdowns."""
    since, until = _window(start, end)
    cases = _in_region(Case.objects.filter(created_at__gte=since, created_at__lte=until), region)
    to_accept = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    totals = cases.aggregate(
        count=Count("id"),
        closed=Count("id", filter=Q(state__is_open=False, state__is_fixed=True)),
        open=Count("id", filter=Q(state__is_open=True)),
        overdue=Count("id", filter=Q(state__in=["assigned", "in_progress"], deadline__lt=timezone.now())),
        accept=Avg(to_accept, filter=Q(accepted_at__isnull=False)),
        close=Avg(to_close, filter=Q(closed_at__isnull=False)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=["satisfied", "fair"])),
    )
    channels = dict(Channel.choices)
    by_channel = [
        Row(line["channel"], str(channels.get(line["channel"], line["channel"])), {"count": line["n"]})
        for line in cases.values("channel").annotate(n=Count("id")).order_by("-n")
    ]
    names = {c.pk: c.display_name for c in CaseCategory.objects.all()}
    by_category = [
        Row(
            str(line["category"]),
            names.get(line["category"], ""),
            {"count": line["n"], "closed": line["closed"]},
        )
        for line in cases.values("category")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(state__is_open=False, state__is_fixed=True)))
        .order_by("-n")
    ]
    states = {st.pk: st.display_label for st in CaseState.objects.all()}
    by_state = [
        Row(line["state"], states.get(line["state"], line["state"]), {"count": line["n"]})
        for line in cases.values("state", "state__order").annotate(n=Count("id")).order_by("state__order")
    ]
    by_department = [
        Row(
            str(line["department"]),
            line["department__name"] or "—",
            {"count": line["n"], "overdue": line["late"]},
        )
        for line in cases.exclude(department=None)
        .values("department", "department__name")
        .annotate(
            n=Count("id"),
            late=Count(
                "id", filter=Q(deadline__lt=F("closed_at")) | Q(closed_at=None, deadline__lt=timezone.now())
            ),
        )
        .order_by("-n")
    ]
    children = _children(region)
    by_region = {c.pk: Row(c.path, c.name, {"count": 0, "closed": 0}, c) for c in children}
    for line in cases.values("region__path").annotate(
        n=Count("id"), closed=Count("id", filter=Q(state__is_open=False, state__is_fixed=True))
    ):
        child = _child_of(children, line["region__path"])
        if child is not None:
            by_region[child.pk].values["count"] += line["n"]
            by_region[child.pk].values["closed"] += line["closed"]
    for row in by_region.values():
        n = row.values["count"]
        row.values["closure"] = f"{row.values['closed'] / n:.0%}" if n else "—"
    count = totals["count"]
    return {
        "count": count,
        "closed": totals["closed"],
        "open": totals["open"],
        "overdue": totals["overdue"],
        "closure": f"{totals['closed'] / count:.1%}" if count else "—",
        "hours_to_accept": _hours(totals["accept"]),
        "hours_to_close": _hours(totals["close"]),
        "satisfaction": f"{totals['satisfied'] / totals['rated']:.0%}" if totals["rated"] else "—",
        "by_channel": by_channel,
        "by_category": by_category,
        "by_state": by_state,
        "by_department": by_department,
        "by_region": list(by_region.values()),
    }


def trend(region: Region | None, start: datetime.date, end: datetime.date) -> dict:
    """Patrols (valid) and cases (reported, closed) per day, week or month, whichever fits the period."""
    days = (end - start).days
    trunc = TruncDate if days <= 62 else TruncWeek if days <= 370 else TruncMonth
    since, until = _window(start, end)
    patrols = _in_region(
        Patrol.objects.filter(started_at__gte=since, started_at__lte=until, is_valid=True), region
    )
    cases = _in_region(Case.objects.filter(created_at__gte=since, created_at__lte=until), region)
    closed = _in_region(Case.objects.filter(closed_at__gte=since, closed_at__lte=until), region)

    def series(rows, column):
        return {
            _day(line["at"]): line["n"]
            for line in rows.annotate(at=trunc(column)).values("at").annotate(n=Count("id")).order_by("at")
        }

    p, c, k = series(patrols, "started_at"), series(cases, "created_at"), series(closed, "closed_at")
    keys = sorted(set(p) | set(c) | set(k))
    return {
        "unit": {TruncDate: "day", TruncWeek: "week", TruncMonth: "month"}[trunc],
        "labels": keys,
        "patrols": [p.get(x, 0) for x in keys],
        "reported": [c.get(x, 0) for x in keys],
        "closed": [k.get(x, 0) for x in keys],
    }


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()
