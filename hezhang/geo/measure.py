"""Lengths, areas and distances measured on the ellipsoid.

River-chief reporting quotes reach lengths and lake areas in official
statistics, so they are computed geodesically rather than in a projection
whose scale error would depend on where in China the feature lies.  The
ellipsoid is WGS84's; CGCS2000's (GRS80) differs from it by 0.1 mm in the
semi-minor axis, far below anything measured here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyproj import Geod

__all__ = ["distance_m", "line_length_m", "polygon_area_m2"]

_GEOD = Geod(ellps="WGS84")


def _lon_lat(points: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    return [float(p[0]) for p in points], [float(p[1]) for p in points]


def _lines(geom: dict[str, Any]) -> list[Any]:
    kind = geom.get("type")
    if kind == "LineString":
        return [geom["coordinates"]]
    if kind == "MultiLineString":
        return list(geom["coordinates"])
    raise ValueError(f"line_length_m needs a LineString or MultiLineString, got {kind!r}")


def _polygons(geom: dict[str, Any]) -> list[Any]:
    kind = geom.get("type")
    if kind == "Polygon":
        return [geom["coordinates"]]
    if kind == "MultiPolygon":
        return list(geom["coordinates"])
    raise ValueError(f"polygon_area_m2 needs a Polygon or MultiPolygon, got {kind!r}")


def line_length_m(geom: dict[str, Any]) -> float:
    """Geodesic length in metres of a GeoJSON LineString or MultiLineString."""
    total = 0.0
    for line in _lines(geom):
        if len(line) >= 2:
            lons, lats = _lon_lat(line)
            total += float(_GEOD.line_length(lons, lats))
    return total


def _ring_area(ring: Sequence[Sequence[float]]) -> float:
    # The closing vertex would only add a zero-length edge; dropping it keeps
    # the ring in the form Geod documents.
    points = list(ring)
    if len(points) > 1 and list(points[0][:2]) == list(points[-1][:2]):
        points = points[:-1]
    if len(points) < 3:
        return 0.0
    lons, lats = _lon_lat(points)
    area, _perimeter = _GEOD.polygon_area_perimeter(lons, lats)
    # The sign only reflects vertex order, which user data does not keep
    # consistently.
    return abs(float(area))


def polygon_area_m2(geom: dict[str, Any]) -> float:
    """Geodesic area in square metres of a GeoJSON Polygon or MultiPolygon, holes excluded."""
    total = 0.0
    for polygon in _polygons(geom):
        if not polygon:
            continue
        shell, *holes = polygon
        total += _ring_area(shell) - sum(_ring_area(h) for h in holes)
    return abs(total)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two WGS84 points."""
    _fwd, _back, dist = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist)
