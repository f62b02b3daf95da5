"""Where the demo cases happen: points by the demo county's reaches, on the water or on the bank, and their names.

A point is described as people describe it: the village and a landmark (东桥下, 生产桥上游) along a river, a
corner (东北角, 西岸) of a pond or reservoir.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape

from hezhang.accounts.models import User
from hezhang.cases.demo.texts import CORNERS, LANDMARKS
from hezhang.geo.spatial import metres_per_degree
from hezhang.registry.models import ChiefAssignment, Reach, Region

# Problems seen on the water rather than on the bank.
ON_WATER = {
    "floating_garbage",
    "water_pollution",
    "black_odorous",
    "illegal_fishing",
    "outfall_abnormal",
    "other",
}


@dataclass
class Place:
    lon: float
    lat: float
    where: str  # for the title: 滏清河南宋庄村段
    place: str  # for the description: 南宋庄村东桥下
    address: str
    surface: str  # 河面 or 水面
    reach: Reach


class Places:
    """Points by the demo county's reaches, in three zones: the village chief's, the demo township, the rest."""

    def __init__(self, county: Region, township: Region, village_chief: User | None) -> None:
        reaches = Reach.objects.filter(region__path__startswith=county.path).exclude(geometry=None)
        self.reaches = list(reaches.select_related("water_body", "region").order_by("pk"))
        self.shapes = {r.pk: shape(r.geometry) for r in self.reaches}
        villages = list(Region.objects.filter(level=5, path__startswith=county.path).select_related("parent"))
        self.villages = villages
        self.village_shapes = [shape(v.geometry) for v in villages]
        self.tree = shapely.STRtree(self.village_shapes)
        mine = set()
        clip = None
        if village_chief is not None:
            mine = set(
                ChiefAssignment.objects.current()
                .filter(chief=village_chief)
                .exclude(reach=None)
                .values_list("reach_id", flat=True)
            )
            clip = shape(village_chief.region.geometry).buffer(0.0005)
        self.zones = {
            "village": [(r, clip) for r in self.reaches if r.pk in mine],
            "township": [(r, None) for r in self.reaches if r.region.path.startswith(township.path)],
            "county": [(r, None) for r in self.reaches if not r.region.path.startswith(township.path)],
        }

    def point(self, zone: str, category: str, rng: random.Random) -> Place:
        rows = self.zones[zone] or self.zones["county"]
        polygons = [row for row in rows if "Polygon" in row[0].geometry["type"]]
        lines = [row for row in rows if "Polygon" not in row[0].geometry["type"]]
        if polygons and (rng.random() < 0.15 or not lines):
            reach, clip = rng.choice(polygons)
        else:
            weights = [math.sqrt(r.length_m or 100.0) for r, _ in lines]
            reach, clip = rng.choices(lines, weights)[0]
        geom = self.shapes[reach.pk]
        if clip is not None:
            inside = geom.intersection(clip)
            if (
                inside.geom_type in ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
                and not inside.is_empty
            ):
                geom = inside
        on_water = category in ON_WATER
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            ring = (
                geom.exterior
                if geom.geom_type == "Polygon"
                else max(geom.geoms, key=lambda g: g.area).exterior
            )
            edge = ring.interpolate(rng.random(), normalized=True)
            centre = geom.representative_point()
            inward = rng.uniform(3, 15) if on_water else -rng.uniform(4, 15)
            lon, lat = _towards(edge, centre, inward)
            surface, line = "水面", False
        else:
            line_geom = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
            f = rng.uniform(0.05, 0.95)
            a, b = (
                line_geom.interpolate(f - 0.01, normalized=True),
                line_geom.interpolate(f + 0.01, normalized=True),
            )
            here = line_geom.interpolate(f, normalized=True)
            kx, ky = metres_per_degree(here.y)
            dx, dy = (b.x - a.x) * kx, (b.y - a.y) * ky
            norm = math.hypot(dx, dy) or 1.0
            off = (rng.uniform(0, 6) if on_water else rng.uniform(8, 28)) * rng.choice((-1, 1))
            lon, lat = here.x - dy / norm * off / kx, here.y + dx / norm * off / ky
            surface, line = "河面", True
        village = self._village(lon, lat) or reach.region
        township = village.parent if village.level == 5 else village
        water = reach.water_body.name
        if line:
            landmark = rng.choice(LANDMARKS).format(n=rng.randint(2, 9))
            place = f"{village.name}{landmark}"
            where = f"{water}{village.name}段"
            address = f"{township.name}{village.name}{landmark}，{water}"
        else:
            place = f"{water}{rng.choice(CORNERS)}"
            where = water
            address = f"{township.name}{village.name}，{place}"
        return Place(lon, lat, where, place, address, surface, reach)

    def _village(self, lon: float, lat: float) -> Region | None:
        point = Point(lon, lat)
        for i in self.tree.query(point, predicate="intersects"):
            return self.villages[int(i)]
        return None


def _towards(a: Point, b: Point, metres: float) -> tuple[float, float]:
    kx, ky = metres_per_degree(a.y)
    dx, dy = (b.x - a.x) * kx, (b.y - a.y) * ky
    d = math.hypot(dx, dy) or 1.0
    return a.x + dx / d * metres / kx, a.y + dy / d * metres / ky


def near(place: Place, rng: random.Random) -> Place:
    """A point 10 to 50 m from `place`, named the same: where a second report of the same problem comes from."""
    kx, ky = metres_per_degree(place.lat)
    angle, metres = rng.uniform(0, 2 * math.pi), rng.uniform(10, 50)
    lon, lat = place.lon + math.cos(angle) * metres / kx, place.lat + math.sin(angle) * metres / ky
    return Place(lon, lat, place.where, place.place, place.address, place.surface, place.reach)
