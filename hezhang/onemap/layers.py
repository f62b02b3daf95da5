"""The one map's layers: registry features, cases, live patrols and the patrol heatmap, for a bbox, zoom and period.

Every layer is narrowed to the user's jurisdiction (the same `visible()` the pages use), to the map's current
bounding box (bbox columns, so SQL does the coarse cut), and thinned to the zoom. Large layers say when they were
cut short, so the page can ask the user to zoom in rather than silently show part of the picture.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from hezhang.accounts.jurisdiction import visible
from hezhang.cases.access import visible_cases
from hezhang.cases.models import Case
from hezhang.monitoring.overview import class_colour, class_name, latest_by_section
from hezhang.onemap.simplify import simplify
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.models import Patrol, PatrolPoint
from hezhang.patrols.sealing import unseal
from hezhang.registry.kinds import KINDS

FEATURE_LIMIT = 5000
HEAT_POINT_LIMIT = 30_000
HEAT_PATROL_LIMIT = 600
LIVE_MINUTES = 30
REGISTRY_LAYERS = (
    "regions",
    "grids",
    "water-bodies",
    "reaches",
    "sections",
    "outfalls",
    "signboards",
    "assets",
)
LAYERS = (*REGISTRY_LAYERS, "cases-open", "cases-fixed", "patrols-live", "patrols-heat")


@dataclass
class View:
    """What the map shows: the user, the box (west, south, east, north) or None, the zoom, the period."""

    user: object
    bbox: tuple[float, float, float, float] | None
    zoom: int | None
    start: datetime.date
    end: datetime.date

    @property
    def lat(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2 if self.bbox else 35.0

    @property
    def since(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.max))


def _boxed(rows, view: View):
    if view.bbox is None:
        return rows
    west, south, east, north = view.bbox
    return rows.filter(min_lon__lte=east, max_lon__gte=west, min_lat__lte=north, max_lat__gte=south)


def _points_in(rows, view: View, lon: str = "lon", lat: str = "lat"):
    if view.bbox is None:
        return rows
    west, south, east, north = view.bbox
    return rows.filter(
        **{f"{lon}__gte": west, f"{lon}__lte": east, f"{lat}__gte": south, f"{lat}__lte": north}
    )


def _collection(features: list[dict], truncated: bool) -> dict:
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


def patrolled_reaches(view: View, ids: list[int]) -> set[int]:
    """Of these reaches, those with a valid patrol in the period."""
    through = Patrol.reaches.through.objects.filter(
        reach_id__in=ids,
        patrol__is_valid=True,
        patrol__started_at__gte=view.since,
        patrol__started_at__lte=view.until,
    )
    return set(through.values_list("reach_id", flat=True))


def registry_layer(slug: str, view: View) -> dict:
    kind = KINDS[slug]
    rows = _boxed(visible(kind.model.objects.exclude(geometry=None), view.user), view)
    found = list(rows.order_by("pk")[: FEATURE_LIMIT + 1])
    truncated = len(found) > FEATURE_LIMIT
    found = found[:FEATURE_LIMIT]
    patrolled = patrolled_reaches(view, [o.pk for o in found]) if slug == "reaches" else set()
    quality = latest_by_section([o.pk for o in found]) if slug == "sections" else {}
    features = []
    for obj in found:
        props = {"id": obj.pk, "layer": slug, "name": str(obj), "code": getattr(obj, "code", "")}
        for attr in ("kind", "level", "target_class"):
            value = getattr(obj, attr, None)
            if value is not None:
                props[attr] = value
        if slug == "reaches":
            props["patrolled"] = obj.pk in patrolled
        if slug == "sections":
            latest = quality.get(obj.pk)
            props["water_class"] = latest.water_class if latest else None
            props["class_name"] = class_name(latest.water_class) if latest else ""
            props["colour"] = class_colour(latest.water_class if latest else None)
        features.append(
            {
                "type": "Feature",
                "id": obj.pk,
                "geometry": simplify(obj.geometry, view.zoom, view.lat),
                "properties": props,
            }
        )
    return _collection(features, truncated)


def cases_layer(view: View, fixed: bool) -> dict:
    rows = visible_cases(Case.objects.select_related("state", "category"), view.user)
    if fixed:
        rows = rows.filter(state__is_fixed=True, closed_at__gte=view.since, closed_at__lte=view.until)
    else:
        rows = rows.filter(state__is_open=True, state__is_fixed=False)
    rows = _points_in(rows, view)
    found = list(rows.order_by("-created_at")[: FEATURE_LIMIT + 1])
    features = [
        {
            "type": "Feature",
            "id": c.number,
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "layer": "cases-fixed" if fixed else "cases-open",
                "id": c.number,
                "name": f"{c.number} {c.title}",
                "category": c.category.display_name,
                "state": c.state.display_label,
                "overdue": c.is_overdue,
                "url": reverse("cases:detail", args=[c.number]),
            },
        }
        for c in found[:FEATURE_LIMIT]
    ]
    return _collection(features, len(found) > FEATURE_LIMIT)


def live_patrols_layer(view: View) -> dict:
    """Patrols under way, at their latest point received in the last half hour."""
    recent = timezone.now().timestamp() - LIVE_MINUTES * 60
    patrols = visible_patrols(Patrol.objects.filter(ended_at=None), view.user).select_related("patroller")
    latest = dict(
        PatrolPoint.objects.filter(patrol__in=patrols, t__gte=recent)
        .values("patrol_id")
        .annotate(last=Max("seq"))
        .values_list("patrol_id", "last")
    )
    points = PatrolPoint.objects.filter(
        Q(*[Q(patrol_id=p, seq=s) for p, s in latest.items()], _connector=Q.OR) if latest else Q(pk__in=[])
    )
    where = {p.patrol_id: p for p in _points_in(points, view)}
    features = []
    for patrol in patrols.filter(pk__in=list(where)):
        point = where[patrol.pk]
        features.append(
            {
                "type": "Feature",
                "id": patrol.pk,
                "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
                "properties": {
                    "layer": "patrols-live",
                    "id": patrol.pk,
                    "name": str(patrol.patroller),
                    "since": timezone.localtime(patrol.started_at).strftime("%H:%M"),
                    "url": reverse("patrols:detail", args=[patrol.pk]),
                },
            }
        )
    return _collection(features, False)


def heat_layer(view: View) -> dict:
    """Where valid patrols went in the period, as [lat, lon] points sampled from their sealed tracks."""
    patrols = visible_patrols(
        Patrol.objects.filter(is_valid=True, started_at__gte=view.since, started_at__lte=view.until).exclude(
            track=None
        ),
        view.user,
    )
    patrols = _boxed(patrols, view).order_by("-started_at")
    chosen = list(patrols.values_list("track", flat=True)[:HEAT_PATROL_LIMIT])
    if not chosen:
        return {"points": [], "truncated": False}
    per_track = max(1, HEAT_POINT_LIMIT // len(chosen))
    out: list[list[float]] = []
    for blob in chosen:
        track = unseal(bytes(blob))
        for point in track[:: max(1, len(track) // per_track)]:
            out.append([round(point.lat, 5), round(point.lon, 5)])
    return {"points": out[:HEAT_POINT_LIMIT], "truncated": patrols.count() > HEAT_PATROL_LIMIT}


def layer(name: str, view: View) -> dict:
    if name in REGISTRY_LAYERS:
        return registry_layer(name, view)
    if name in ("cases-open", "cases-fixed"):
        return cases_layer(view, fixed=name == "cases-fixed")
    if name == "patrols-live":
        return live_patrols_layer(view)
    if name == "patrols-heat":
        return heat_layer(view)
    raise KeyError(name)
