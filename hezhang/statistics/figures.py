"""统计分析: patrols and cases of a region over a period, by sub-region, level, channel, category, state and time.

Reusable functions (the assessment of chiefs will call them): each takes a region (None: everywhere) and a date
range and aggregates in SQL, never one query per row: patrols from the summaries the patrols app keeps (a row a
region and day, a bitmap a patroller and year), cases in two passes grouped several ways at once. Statistics read
every app and are read by none, so this module may import from cases and patrols; nothing imports it but its pages
and assessment.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Substr
from django.utils import timezone

from hezhang.cases.models import Case, CaseCategory, CaseDay, CaseState, Channel
from hezhang.parallel import at_once
from hezhang.patrols.frequency import (
    blank_spots,
    patrolled_by,
    rate_by_level,
    rate_by_subregion,
    rate_totals,
    standings_of,
)
from hezhang.patrols.models import RegionDay
from hezhang.registry.models import Department, Region


def _window(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.max)),
    )


def _in_region(rows, region: Region | None, path: str = "region__path"):
    return rows.filter(**{f"{path}__startswith": region.path}) if region else rows


def _among_regions(rows, region: Region | None):
    """`rows` of `region`'s subtree by region id: nothing to filter when the region is the only top-level one."""
    if region is None or (
        region.parent_id is None and not Region.objects.filter(parent=None).exclude(pk=region.pk).exists()
    ):
        return rows
    return rows.filter(region__in=Region.objects.filter(path__startswith=region.path))


def _children(region: Region | None) -> list[Region]:
    rows = Region.objects.filter(parent=region) if region else Region.objects.filter(parent=None)
    # Without their outlines: a province's cities' are megabytes nobody here reads.
    return list(rows.defer("geometry").order_by("code"))


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
    """Patrols: totals, by sub-region (with patrol rate and rank), by level, and blank spots.

    Counted from the patrols app's summaries: a row a day for the region and for each child (`RegionDay`), the
    patrollers' years (`PatrollerYear`) for how many patrolled, `standing` for the patrol rate; the rates and the
    rest at once (parallel.py).
    """
    everyone, counts = at_once(
        lambda: standings_of(region, start, end), lambda: _patrol_counts(region, start, end)
    )
    totals, rows = counts["totals"], counts["rows"]
    rates = {r.key: r for r in rate_by_subregion(everyone, region)}
    for row in rows.values():
        rate = rates.get(row.key)
        row.values["rate"] = rate.percent if rate else "—"
        row.values["rank"] = rate.rank if rate else None
        row.values["distance_km"] = round(row.values["distance_km"], 1)
    required, met = rate_totals(everyone)
    count, valid = totals["count"] or 0, totals["valid"] or 0
    return {
        "count": count,
        "valid": valid,
        "valid_share": f"{valid / count:.0%}" if count else "—",
        "distance_km": round((totals["distance"] or 0) / 1000, 1),
        "patrollers": counts["patrollers"],
        "rate": f"{met / required:.1%}" if required else "—",
        "required": required,
        "met": met,
        "by_region": sorted(
            rows.values(), key=lambda r: (r.values["rank"] is None, r.values["rank"] or 0, r.key)
        ),
        "by_level": rate_by_level(everyone),
        "blank_spots": counts["blank_spots"],
    }


def _patrol_counts(region: Region | None, start: datetime.date, end: datetime.date) -> dict:
    """What `patrol_figures` counts besides the rates: patrols and distance, in all and by child, how many patrolled
    and the blank spots."""
    days = RegionDay.objects.filter(day__gte=start, day__lte=end)
    sums = {"count": Sum("patrols"), "valid": Sum("valid"), "distance": Sum("valid_distance_m")}
    totals = days.filter(region_path=region.path if region else "").aggregate(**sums)
    children = _children(region)
    rows = {c.pk: Row(c.path, c.name, {"count": 0, "valid": 0, "distance_km": 0.0}, c) for c in children}
    by_path = {
        line["region_path"]: line
        for line in days.filter(region_path__in=[c.path for c in children])
        .values("region_path")
        .annotate(**sums)
        .order_by()
    }
    for child in children:
        # A child whose path lies inside an earlier child's has its patrols counted there (`_child_of`).
        if _child_of(children, child.path) is not child or child.path not in by_path:
            continue
        line = by_path[child.path]
        rows[child.pk].values.update(
            count=line["count"], valid=line["valid"], distance_km=(line["distance"] or 0) / 1000
        )
    return {
        "totals": totals,
        "rows": rows,
        "patrollers": patrolled_by(region, start, end),
        "blank_spots": blank_spots(region, start, end).count(),
    }


def case_figures(region: Region | None, start: datetime.date, end: datetime.date) -> dict:
    """Cases reported in the period: totals, closure rate, times to accept and close, satisfaction, breakdowns.

    Two passes over the cases rather than one a table, each counting only what it alone can: the cases by state,
    channel, category and sub-region at once (a few thousand groups for a province's year), summed here into each
    breakdown, open and closed told by each group's state; and by department (with none as one more), with the
    overdue ones, the times to accept and to close and the ratings, summed here into the totals.
    """
    since, until = _window(start, end)
    reported = Case.objects.filter(created_at__gte=since, created_at__lte=until)
    # Whether a state is open, or closed as fixed, is data of the state: counted here from each group's state
    # rather than by joining every case to its state.
    all_states = list(CaseState.objects.all())
    kinds = {st.pk: (st.is_open, not st.is_open and st.is_fixed) for st in all_states}
    children = _children(region)
    # A path cut to the longest child path finds the same child as the whole path.
    longest = max((len(c.path) for c in children), default=0)
    groups = (
        _in_region(reported, region)
        .order_by()
        .annotate(
            child=Substr("region__path", 1, longest) if longest else Value(None, output_field=CharField())
        )
        .values_list("state", "channel", "category", "child")
        .annotate(n=Count("id"))
    )
    totals: dict = defaultdict(int, accept=datetime.timedelta(), close=datetime.timedelta())
    by: dict[str, dict] = {"channel": defaultdict(lambda: [0, 0]), "category": defaultdict(lambda: [0, 0])}
    by["state"], by["child"] = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for state, channel, category, child, n in groups:
        is_open, fixed = kinds.get(state, (False, False))
        closed = n if fixed else 0
        totals["n"] += n
        totals["open"] += n if is_open else 0
        totals["closed"] += closed
        for kind, key in (("channel", channel), ("category", category), ("state", state), ("child", child)):
            by[kind][key][0] += n
            by[kind][key][1] += closed
    channels = dict(Channel.choices)
    by_channel = [
        Row(key, str(channels.get(key, key)), {"count": n})
        for key, (n, _closed) in sorted(by["channel"].items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    names = {c.pk: c.display_name for c in CaseCategory.objects.all()}
    by_category = [
        Row(str(key), names.get(key, ""), {"count": n, "closed": closed})
        for key, (n, closed) in sorted(by["category"].items(), key=lambda kv: (-kv[1][0], str(kv[0])))
    ]
    states = {st.pk: (st.order, st.display_label) for st in all_states}
    by_state = [
        Row(key, states[key][1] if key in states else key, {"count": n})
        for key, (n, _closed) in sorted(
            by["state"].items(), key=lambda kv: (states.get(kv[0], (0, ""))[0], kv[0])
        )
    ]
    # Filtered by the region's ids rather than joined to every case's region (a third of this query's time for a
    # province's year), and named afterwards.
    now = timezone.now()
    accepted, finished = Q(accepted_at__isnull=False), Q(closed_at__isnull=False)
    to_accept = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    lines = list(
        _among_regions(reported, region)
        .order_by()
        .values("department")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(deadline__lt=F("closed_at")) | Q(closed_at=None, deadline__lt=now)),
            overdue=Count("id", filter=Q(state__in=["assigned", "in_progress"], deadline__lt=now)),
            accept=Sum(to_accept, filter=accepted),
            accepted=Count("id", filter=accepted),
            close=Sum(to_close, filter=finished),
            finished=Count("id", filter=finished),
            rated=Count("id", filter=~Q(rating="")),
            satisfied=Count("id", filter=Q(rating__in=["satisfied", "fair"])),
        )
    )
    for line in lines:
        for name in ("overdue", "accepted", "finished", "rated", "satisfied"):
            totals[name] += line[name]
        for name in ("accept", "close"):
            totals[name] += line[name] or datetime.timedelta()
    lines = [line for line in lines if line["department"] is not None]
    departments = dict(
        Department.objects.filter(pk__in=[x["department"] for x in lines]).values_list("pk", "name")
    )
    by_department = [
        Row(
            str(line["department"]),
            departments.get(line["department"]) or "—",
            {"count": line["n"], "overdue": line["late"]},
        )
        for line in sorted(lines, key=lambda x: (-x["n"], x["department"]))
    ]
    by_region = {c.pk: Row(c.path, c.name, {"count": 0, "closed": 0}, c) for c in children}
    for key, (n, closed) in by["child"].items():
        child = _child_of(children, key)
        if child is not None:
            by_region[child.pk].values["count"] += n
            by_region[child.pk].values["closed"] += closed
    for row in by_region.values():
        n = row.values["count"]
        row.values["closure"] = f"{row.values['closed'] / n:.0%}" if n else "—"
    count = totals["n"]
    return {
        "count": count,
        "closed": totals["closed"],
        "open": totals["open"],
        "overdue": totals["overdue"],
        "closure": f"{totals['closed'] / count:.1%}" if count else "—",
        "hours_to_accept": _hours(totals["accept"] / totals["accepted"]) if totals["accepted"] else None,
        "hours_to_close": _hours(totals["close"] / totals["finished"]) if totals["finished"] else None,
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
    unit = "day" if days <= 62 else "week" if days <= 370 else "month"
    # Cases reported and closed from the region's row a day (`CaseDay`), valid patrols from its `RegionDay` rows,
    # each put in weeks (from Monday) or months here.
    path = region.path if region else ""
    c: dict[str, int] = {}
    k: dict[str, int] = {}
    for day, reported, closed in CaseDay.objects.filter(
        region_path=path, day__gte=start, day__lte=end
    ).values_list("day", "reported", "closed"):
        key = _bucket(day, unit).isoformat()
        if reported:
            c[key] = c.get(key, 0) + reported
        if closed:
            k[key] = k.get(key, 0) + closed
    p: dict[str, int] = {}
    for day, n in RegionDay.objects.filter(
        region_path=path, day__gte=start, day__lte=end, valid__gt=0
    ).values_list("day", "valid"):
        key = _bucket(day, unit).isoformat()
        p[key] = p.get(key, 0) + n
    keys = sorted(set(p) | set(c) | set(k))
    return {
        "unit": unit,
        "labels": keys,
        "patrols": [p.get(x, 0) for x in keys],
        "reported": [c.get(x, 0) for x in keys],
        "closed": [k.get(x, 0) for x in keys],
    }


def _bucket(day: datetime.date, unit: str) -> datetime.date:
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day
