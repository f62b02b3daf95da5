"""Pure geometry for the demo's land: outlines, tilings of regions, and the conversion to GeoJSON.

Everything is built in a local plane in kilometres around a centre point (an equirectangular
projection, accurate to well under a metre over a county) and converted to lon/lat at the end.
No Django here; all randomness comes from the `random.Random` passed in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.polygon import orient
from shapely.prepared import prep

XY = tuple[float, float]

# Vertices are snapped to a 1 cm grid (in km) so that neighbouring cells share their edges exactly.
GRID_KM = 1e-5


@dataclass(frozen=True)
class Frame:
    """A local plane in km centred on (lon0, lat0)."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return 111.320 * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        return 110.574

    def lonlat(self, x: float, y: float) -> XY:
        return self.lon0 + x / self.kx, self.lat0 + y / self.ky

    def km(self, lon: float, lat: float) -> XY:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def to_lonlat(self, geom: shapely.Geometry) -> shapely.Geometry:
        kx, ky = self.kx, self.ky
        return shapely.transform(
            geom, lambda c: np.column_stack((self.lon0 + c[:, 0] / kx, self.lat0 + c[:, 1] / ky))
        )

    def geojson(self, geom: shapely.Geometry, decimals: int = 6) -> dict[str, Any]:
        """The geometry in lon/lat as a GeoJSON dict, rounded, polygons oriented by the right-hand rule."""
        return geojson(self.to_lonlat(geom), decimals)


def _ring(coords: Any, decimals: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in np.asarray(coords)[:, :2].tolist():
        p = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def geojson(geom: shapely.Geometry, decimals: int = 6) -> dict[str, Any]:
    """A shapely geometry (already in lon/lat) as a plain GeoJSON dict with lists, not tuples."""
    kind = geom.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": [round(geom.x, decimals), round(geom.y, decimals)]}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": _ring(geom.coords, decimals)}
    if kind == "MultiLineString":
        return {"type": "MultiLineString", "coordinates": [_ring(g.coords, decimals) for g in geom.geoms]}
    if kind == "Polygon":
        p = orient(geom, 1.0)
        return {
            "type": "Polygon",
            "coordinates": [_ring(r.coords, decimals) for r in (p.exterior, *p.interiors)],
        }
    if kind == "MultiPolygon":
        parts = [orient(g, 1.0) for g in geom.geoms]
        return {
            "type": "MultiPolygon",
            "coordinates": [[_ring(r.coords, decimals) for r in (p.exterior, *p.interiors)] for p in parts],
        }
    raise ValueError(f"cannot write {kind} as GeoJSON")


def blob(
    rng: random.Random,
    center: XY,
    rx: float,
    ry: float,
    roughness: float = 0.12,
    vertices: int = 240,
    rotation: float | None = None,
) -> Polygon:
    """A star-shaped outline with a wobbly edge: big lobes from low harmonics, a ragged edge from high ones."""
    harmonics = [
        (k, rng.uniform(0, 2 * math.pi), roughness * rng.uniform(0.4, 1.0) / k**0.9) for k in range(2, 7)
    ]
    harmonics += [
        (k, rng.uniform(0, 2 * math.pi), roughness * 0.25 * rng.random() / k**0.6) for k in range(7, 31)
    ]
    rot = rng.uniform(0, math.pi) if rotation is None else rotation
    cos_r, sin_r = math.cos(rot), math.sin(rot)
    pts = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        r = 1.0 + sum(a * math.sin(k * t + ph) for k, ph, a in harmonics)
        x, y = rx * r * math.cos(t), ry * r * math.sin(t)
        pts.append((center[0] + x * cos_r - y * sin_r, center[1] + x * sin_r + y * cos_r))
    poly = Polygon(pts)
    return poly if poly.is_valid else largest(shapely.make_valid(poly))


def largest(geom: shapely.Geometry) -> Polygon:
    """The biggest polygon in a geometry (an empty polygon if there is none)."""
    polys = polygon_parts(geom)
    return max(polys, key=lambda p: p.area) if polys else Polygon()


def scatter(rng: random.Random, area: Polygon, n: int, spacing: float, tries: int = 4000) -> list[XY]:
    """Up to n random points inside `area`, no two closer than `spacing` (relaxed if the area is crowded)."""
    minx, miny, maxx, maxy = area.bounds
    prepared = prep(area)
    points: list[XY] = []
    gap = spacing
    attempts = 0
    while len(points) < n:
        attempts += 1
        if attempts % tries == 0:
            gap *= 0.85
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not prepared.contains(Point(x, y)):
            continue
        if all((x - px) ** 2 + (y - py) ** 2 >= gap * gap for px, py in points):
            points.append((x, y))
    return points


class Warp:
    """A smooth displacement of the plane (sine waves at a few scales), so straight Voronoi edges look surveyed.

    `octaves` are (amplitude km, (shortest, longest wavelength km), number of waves).
    """

    def __init__(self, rng: random.Random, octaves: Sequence[tuple[float, tuple[float, float], int]]) -> None:
        self.waves = []
        for amplitude, wavelength, waves in octaves:
            for _ in range(waves):
                length = rng.uniform(*wavelength)
                angle = rng.uniform(0, 2 * math.pi)
                self.waves.append(
                    (
                        2 * math.pi / length * math.cos(angle),
                        2 * math.pi / length * math.sin(angle),
                        rng.uniform(0, 2 * math.pi),
                        amplitude / math.sqrt(waves) * rng.uniform(0.6, 1.2),
                        rng.uniform(0, 2 * math.pi),
                    )
                )

    def _move(self, c: np.ndarray) -> np.ndarray:
        x, y = c[:, 0], c[:, 1]
        dx = np.zeros_like(x)
        dy = np.zeros_like(y)
        for fx, fy, phase, amp, direction in self.waves:
            s = amp * np.sin(fx * x + fy * y + phase)
            dx += s * math.cos(direction)
            dy += s * math.sin(direction)
        return np.column_stack((x + dx, y + dy))

    def __call__(self, geom: shapely.Geometry, step: float) -> shapely.Geometry:
        dense = shapely.segmentize(shapely.set_precision(geom, GRID_KM), step)
        return shapely.set_precision(shapely.transform(dense, self._move), GRID_KM)


def voronoi(points: Sequence[XY], margin: float) -> list[Polygon]:
    """Voronoi cells of the points, in the order of the points, covering their envelope plus a margin."""
    seeds = shapely.MultiPoint(list(points))
    extent = seeds.envelope.buffer(margin)
    cells = shapely.voronoi_polygons(seeds, extend_to=extent, ordered=True)
    return [largest(c) for c in cells.geoms]


def relax(points: Sequence[XY], area: Polygon, rounds: int) -> list[XY]:
    """Lloyd relaxation: move each point to the centre of its cell, so regions come out evenly sized."""
    pts = list(points)
    for _ in range(rounds):
        cells = voronoi(pts, margin=area.length)
        moved = []
        for p, cell in zip(pts, cells, strict=True):
            inside = largest(cell.intersection(area))
            moved.append((inside.centroid.x, inside.centroid.y) if not inside.is_empty else p)
        pts = moved
    return pts


def tidy(cells: list[shapely.Geometry]) -> list[Polygon]:
    """Each cell as one Polygon: stray fragments go to the neighbour they share most border with."""
    main = [largest(c) for c in cells]
    for i, cell in enumerate(cells):
        for part in shapely.get_parts(cell):
            if part.geom_type != "Polygon" or part.equals(main[i]) or part.area < 1e-9:
                continue
            best, shared = None, 0.0
            for j, other in enumerate(main):
                if j != i:
                    touch = part.boundary.intersection(other.boundary).length
                    if touch > shared:
                        best, shared = j, touch
            if best is not None:
                main[best] = largest(shapely.union(main[best], part, grid_size=GRID_KM))
    return [shapely.set_precision(orient(p, 1.0), GRID_KM) for p in main]


def partition(
    rng: random.Random,
    area: Polygon,
    n: int,
    spacing: float,
    warp: Warp | None,
    step: float,
    relax_rounds: int = 2,
) -> tuple[list[Polygon], list[XY]]:
    """Split `area` into n regions that tile it: relaxed Voronoi cells, warped, clipped to the area.

    Returns the cells and a seed point inside each (where the settlement would be).
    """
    if n <= 1:
        return [area], [(area.representative_point().x, area.representative_point().y)]
    pts = relax(scatter(rng, area, n, spacing), area, relax_rounds)
    margin = max(area.bounds[2] - area.bounds[0], area.bounds[3] - area.bounds[1])
    cells = voronoi(pts, margin)
    if warp is not None:
        cells = [warp(c, step) for c in cells]
    clipped = [shapely.intersection(c, area, grid_size=GRID_KM) for c in cells]
    tiles = tidy(clipped)
    seeds = []
    for tile, p in zip(tiles, pts, strict=True):
        point = Point(p)
        seeds.append(
            p if tile.contains(point) else (tile.representative_point().x, tile.representative_point().y)
        )
    return tiles, seeds


def polygon_parts(geom: shapely.Geometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty] + [
        p for g in shapely.get_parts(geom) if g.geom_type == "MultiPolygon" for p in g.geoms
    ]
