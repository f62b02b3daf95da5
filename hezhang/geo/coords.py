"""Conversions between the coordinate systems met in Chinese river data.

Survey data and the national base maps are in CGCS2000, which for any
purpose of this platform coincides with WGS84 (the two frames differ by a
few centimetres).  Web maps served inside China are not: Amap, Tencent and
most phone apps publish GCJ-02, an officially obfuscated datum shifted by
a few hundred metres, and Baidu adds a further offset of its own on top of
that (BD-09).  Everything the platform stores is WGS84, so anything drawn on
or exported from one of those maps has to come through here first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "map_coordinates",
    "normalise_crs",
    "to_wgs84",
    "transform_geojson",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# GCJ-02 was built on the Krasovsky 1940 ellipsoid, so its offset is scaled
# with that ellipsoid's radii rather than WGS84's; using WGS84's here would
# move every point by about a centimetre compared with what the map
# providers actually publish.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323

# Baidu's extra rotation and stretch are defined with this angular frequency.
_BD_FREQ = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006

# The offsets are smooth and vary by well under a thousandth of a degree per
# degree, so fixed-point iteration contracts by roughly that factor at every
# step: three or four steps reach this tolerance (about 0.1 mm), comfortably
# below the 1e-7 degree the platform promises.
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 30

Converter = Callable[[float, float], tuple[float, float]]


def _outside_china(lon: float, lat: float) -> bool:
    # The providers leave points outside this rough rectangle unshifted; the
    # rectangle is part of the de-facto GCJ-02 definition, so it must not be
    # replaced by a precise border polygon.
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj_offset_metres(x: float, y: float) -> tuple[float, float]:
    """Eastward and northward shift in metres, for x = lon - 105, y = lat - 35."""
    # The periodic terms are shared between both directions except for the
    # argument they oscillate in; they are what makes the shift hard to
    # undo analytically.
    wobble = 20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    east += (
        wobble
        + 20.0 * math.sin(math.pi * x)
        + 40.0 * math.sin(math.pi * x / 3.0)
        + 150.0 * math.sin(math.pi * x / 12.0)
        + 300.0 * math.sin(math.pi * x / 30.0)
    ) * (2.0 / 3.0)
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    north += (
        wobble
        + 20.0 * math.sin(math.pi * y)
        + 40.0 * math.sin(math.pi * y / 3.0)
        + 160.0 * math.sin(math.pi * y / 12.0)
        + 320.0 * math.sin(math.pi * y / 30.0)
    ) * (2.0 / 3.0)
    return east, north


def _gcj_offset_degrees(lon: float, lat: float) -> tuple[float, float]:
    east, north = _gcj_offset_metres(lon - 105.0, lat - 35.0)
    phi = math.radians(lat)
    w2 = 1.0 - _KRASOVSKY_E2 * math.sin(phi) ** 2
    w = math.sqrt(w2)
    # Metres per radian along the meridian (M) and along the parallel (N cos φ).
    meridian = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w2 * w)
    parallel = _KRASOVSKY_A / w * math.cos(phi)
    return math.degrees(east / parallel), math.degrees(north / meridian)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _outside_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_offset_degrees(lon, lat)
    return lon + dlon, lat + dlat


def _invert(
    forward: Converter, lon: float, lat: float, first_guess: tuple[float, float]
) -> tuple[float, float]:
    """Solve forward(x) == (lon, lat) for x by fixed-point iteration.

    The one-step "subtract the offset evaluated at the shifted point" trick
    used by many libraries is only good to a metre or so; surveyed river
    works need better, and iterating costs a few microseconds.
    """
    x, y = first_guess
    for _ in range(_INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x -= ex
        y -= ey
        if abs(ex) < _INVERSE_TOLERANCE_DEG and abs(ey) < _INVERSE_TOLERANCE_DEG:
            break
    # Near the edge of the out-of-China rectangle the forward mapping jumps,
    # and a point may have no exact preimage; the last iterate is then the
    # best available answer, so it is returned rather than raising.
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if _outside_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_offset_degrees(lon, lat)
    return _invert(wgs84_to_gcj02, lon, lat, (lon - dlon, lat - dlat))


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    r = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_FREQ)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_FREQ)
    return r * math.cos(theta) + _BD_DLON, r * math.sin(theta) + _BD_DLAT


def _bd09_to_gcj02_rough(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    r = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_FREQ)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_FREQ)
    return r * math.cos(theta), r * math.sin(theta)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    # The customary closed-form inverse evaluates the perturbation at the
    # wrong point and is off by up to ~1e-6 degree; iterating from it makes
    # BD-09 round trips exact to the same tolerance as GCJ-02 ones.
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_rough(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _identity(lon: float, lat: float) -> tuple[float, float]:
    return lon, lat


# Spellings people actually type into import forms and API parameters.
_CRS_ALIASES: dict[str, str] = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs 84": "wgs84",
    "epsg:4326": "wgs84",
    "cgcs2000": "wgs84",
    "cgcs-2000": "wgs84",
    "epsg:4490": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
}

_TO_WGS84: dict[str, Converter] = {
    "wgs84": _identity,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def normalise_crs(crs: str) -> str:
    """Return the canonical name ("wgs84", "gcj02" or "bd09") for a CRS label."""
    key = str(crs).strip().lower()
    try:
        return _CRS_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"Unknown coordinate system {crs!r}: expected one of "
            "'wgs84' (or 'cgcs2000', 'epsg:4326', 'epsg:4490'), 'gcj02' or 'bd09'"
        ) from None


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    return _TO_WGS84[normalise_crs(crs)](lon, lat)


def _map_positions(coords: Any, depth: int, convert: Converter) -> list[Any]:
    # depth counts list levels above the positions: 0 for a Point's single
    # position, 1 for a LineString, 2 for a Polygon, 3 for a MultiPolygon.
    if depth == 0:
        lon, lat = convert(float(coords[0]), float(coords[1]))
        # Altitude is unaffected by a horizontal datum shift, so it is kept.
        return [lon, lat, *coords[2:]]
    return [_map_positions(c, depth - 1, convert) for c in coords]


_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def map_coordinates(geom: dict[str, Any], convert: Converter) -> dict[str, Any]:
    """A copy of a GeoJSON geometry with `convert(lon, lat)` applied to every position."""
    kind = geom.get("type")
    if kind == "GeometryCollection":
        parts = [map_coordinates(g, convert) for g in geom.get("geometries", [])]
        return {**geom, "geometries": parts}
    if kind not in _POSITION_DEPTH:
        raise ValueError(f"Unsupported GeoJSON geometry type {kind!r}")
    return {**geom, "coordinates": _map_positions(geom["coordinates"], _POSITION_DEPTH[kind], convert)}


def transform_geojson(geom: dict[str, Any], crs: str) -> dict[str, Any]:
    """Return a copy of a GeoJSON geometry with every position moved to WGS84.

    The input is never modified, so callers can keep the original for
    auditing what a user actually submitted.
    """
    return map_coordinates(geom, _TO_WGS84[normalise_crs(crs)])
