"""Routing a new case: from a point to the reach, water body, region, grid, chiefs, office and department.

Point -> nearest reach within a radius, else the water body polygon containing it, else the region and grid
containing it. A point outside every jurisdiction goes to the top office, marked so: a case is never dropped.

route() reads a per-process snapshot of the registry (hezhang.cases.routing_cache) instead of querying for
every case; the functions below are the database lookups it must agree with, and what it falls back to.
"""

import math
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db.models import Q
from shapely.geometry import Point, shape

from hezhang.cases import routing_cache
from hezhang.geo.spatial import ReachIndex, RegionIndex, metres_per_degree
from hezhang.registry.models import (
    Asset,
    ChiefAssignment,
    Department,
    Grid,
    Office,
    Reach,
    Region,
    WaterBody,
)

ASSET_RADIUS_M = routing_cache.ASSET_RADIUS_M  # one value for both paths


@dataclass
class Routing:
    region: Region
    office: Office
    reach: Reach | None = None
    water_body: WaterBody | None = None
    grid: Grid | None = None
    chiefs: list = field(default_factory=list)
    department: Department | None = None
    outside: bool = False
    distance_m: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "；".join(self.notes)[:300]


def _near(queryset, lon: float, lat: float, radius_m: float):
    kx, ky = metres_per_degree(lat)
    dx, dy = radius_m / kx, radius_m / ky
    return queryset.filter(
        min_lon__lte=lon + dx, max_lon__gte=lon - dx, min_lat__lte=lat + dy, max_lat__gte=lat - dy
    ).exclude(geometry=None)


def nearest_reach(lon: float, lat: float, radius_m: float) -> tuple[Reach, float] | None:
    candidates = list(_near(Reach.objects.select_related("water_body", "region"), lon, lat, radius_m))
    if not candidates:
        return None
    point = Point(lon, lat)
    # A point inside a lake zone is on that reach, whatever the distance to its shore.
    for reach in candidates:
        if "Polygon" in reach.geometry["type"] and shapely.contains(shape(reach.geometry), point):
            return reach, 0.0
    lines = []
    for reach in candidates:
        geometry = reach.geometry
        if "Polygon" in geometry["type"]:
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            lines.append((reach.pk, [ring for polygon in polygons for ring in polygon]))
        else:
            lines.append((reach.pk, geometry["coordinates"]))
    found = ReachIndex(lines).nearest_one(lon, lat, radius_m)
    if found is None:
        return None
    by_id = {r.pk: r for r in candidates}
    return by_id[found[0]], found[1]


def _containing(model, lon: float, lat: float):
    rows = [r for r in _near(model.objects.all(), lon, lat, 1.0) if "Polygon" in r.geometry["type"]]
    point = Point(lon, lat)
    return [r for r in rows if shapely.intersects(shape(r.geometry), point)]


def containing_region(lon: float, lat: float) -> Region | None:
    rows = list(_near(Region.objects.all(), lon, lat, 1.0))
    if not rows:
        return None
    index = RegionIndex((r.pk, r.level, r.geometry) for r in rows)
    ids = index.containing(lon, lat)
    by_id = {r.pk: r for r in rows}
    return by_id[ids[0]] if ids else None


def office_for(region: Region) -> Office | None:
    """The office of the region, or of the nearest region above it that has one."""
    codes = [r.code for r in region.ancestors()] + [region.code]
    offices = {
        o.region.code: o for o in Office.objects.filter(region__code__in=codes).select_related("region")
    }
    return next((offices[c] for c in reversed(codes) if c in offices), None)


def top_office() -> Office | None:
    return Office.objects.select_related("region").order_by("region__level", "region__code").first()


def responsible_chiefs(reach: Reach | None, water_body: WaterBody | None) -> list:
    """The lowest-level current chiefs answering for the reach (or the whole water body)."""
    if water_body is None:
        return []
    q = Q(water_body=water_body, reach=None)
    if reach is not None:
        q |= Q(reach=reach)
    rows = list(ChiefAssignment.objects.current().filter(q).select_related("chief"))
    if not rows:
        return []
    lowest = max(a.level for a in rows)
    return sorted({a.chief for a in rows if a.level == lowest}, key=lambda u: u.pk)


def department_for(category, region: Region, lon: float, lat: float) -> tuple[Department | None, str]:
    """A nearby asset's owner first (a broken manhole cover goes to whoever owns it), else the category's usual one."""
    best = None
    for asset in _near(
        Asset.objects.exclude(department=None).select_related("department"), lon, lat, ASSET_RADIUS_M
    ):
        ax, ay = asset.geometry["coordinates"][:2]
        kx, ky = metres_per_degree(lat)
        d = math.hypot((ax - lon) * kx, (ay - lat) * ky)
        if d <= ASSET_RADIUS_M and (best is None or d < best[1]):
            best = (asset, d)
    if best is not None:
        return best[0].department, f"附近部件“{best[0].name}”的权属部门"
    if category is None or not category.department_kind:
        return None, ""
    codes = [r.code for r in region.ancestors()] + [region.code]
    rows = Department.objects.filter(region__code__in=codes, kind=category.department_kind).select_related(
        "region"
    )
    nearest = sorted(rows, key=lambda d: -d.region.level)
    return (nearest[0], "按问题类别") if nearest else (None, "")


class _Queries:
    """The routing lookups for one point, read from the database (the functions above)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.lon, self.lat = lon, lat

    def nearest_reach(self, radius_m: float) -> tuple[Reach, float] | None:
        return nearest_reach(self.lon, self.lat, radius_m)

    def smallest_water_body(self) -> WaterBody | None:
        bodies = _containing(WaterBody, self.lon, self.lat)
        return min(bodies, key=lambda w: w.area_km2 or 0) if bodies else None

    def containing_region(self) -> Region | None:
        return containing_region(self.lon, self.lat)

    def grid(self) -> Grid | None:
        grids = _containing(Grid, self.lon, self.lat)
        return grids[0] if grids else None

    def top_office(self) -> Office | None:
        return top_office()

    def office_for(self, region: Region) -> Office | None:
        return office_for(region)

    def department_for(self, category, region: Region) -> tuple[Department | None, str]:
        return department_for(category, region, self.lon, self.lat)

    def responsible_chiefs(self, reach: Reach | None, water_body: WaterBody | None) -> list:
        return responsible_chiefs(reach, water_body)


def route(lon: float, lat: float, category=None) -> Routing | None:
    """Decide where a case at (lon, lat) goes. None only when the platform has no office at all.

    Answered from the per-process routing cache (hezhang.cases.routing_cache); from the database, with the
    same result, when the cache is switched off or cannot answer this point exactly.
    """
    snapshot = routing_cache.snapshot()
    if snapshot is not None:
        try:
            return _decide(lon, lat, category, snapshot.at(lon, lat))
        except routing_cache.Unanswerable:
            pass
    return route_uncached(lon, lat, category)


def route_uncached(lon: float, lat: float, category=None) -> Routing | None:
    """route() read straight from the database, without the cache."""
    return _decide(lon, lat, category, _Queries(lon, lat))


def _decide(lon: float, lat: float, category, lookup) -> Routing | None:
    radius = settings.HEZHANG_NEAREST_RADIUS_M
    notes: list[str] = []
    reach = water_body = None
    distance = None
    found = lookup.nearest_reach(radius)
    if found is not None:
        reach, distance = found
        water_body = reach.water_body
        notes.append(f"距河段“{reach.name}” {distance:.0f} 米")
    else:
        water_body = lookup.smallest_water_body()
        if water_body is not None:
            notes.append(f"位于水体“{water_body.name}”内")
    point_region = lookup.containing_region()
    grid = lookup.grid()
    region = (
        reach.region if reach is not None else point_region or (water_body.region if water_body else None)
    )
    if region is None:
        office = lookup.top_office()
        if office is None:
            return None
        notes.append(f"不在任何辖区内，转{office.name}")
        return Routing(region=office.region, office=office, outside=True, notes=notes)
    office = lookup.office_for(region) or lookup.top_office()
    if office is None:
        return None
    department, why = lookup.department_for(category, point_region or region)
    if department is not None:
        notes.append(f"建议交办{department.name}（{why}）")
    return Routing(
        region=region,
        office=office,
        reach=reach,
        water_body=water_body,
        grid=grid,
        chiefs=lookup.responsible_chiefs(reach, water_body),
        department=department,
        distance_m=distance,
        notes=notes,
    )
