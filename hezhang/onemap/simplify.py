"""Geometry thinned for the zoom it is drawn at: a province-wide view needs no centimetre detail.

Web maps show 256-pixel tiles; at zoom z one pixel spans 156 543 m × cos(lat) / 2^z on the ground. A line
simplified with half a pixel's tolerance looks the same and is often ten times smaller. No Django here.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import mapping, shape

__all__ = ["pixel_degrees", "simplify"]


def pixel_degrees(zoom: int, lat: float) -> float:
    """Degrees of longitude one screen pixel spans at this zoom and latitude (Web Mercator)."""
    metres = 156_543.03392 * math.cos(math.radians(lat)) / (2 ** max(0, min(zoom, 22)))
    return metres / 111_320.0 / max(math.cos(math.radians(lat)), 1e-6)


def simplify(geometry: dict[str, Any] | None, zoom: int | None, lat: float = 35.0) -> dict[str, Any] | None:
    """The geometry simplified to half a pixel at `zoom` (unchanged when no zoom is given, or for points)."""
    if not geometry or zoom is None or geometry.get("type") in ("Point", "MultiPoint"):
        return geometry
    tolerance = pixel_degrees(zoom, lat) / 2
    try:
        thin = shapely.simplify(shape(geometry), tolerance, preserve_topology=True)
    except (ValueError, TypeError, shapely.errors.GEOSException):
        return geometry
    if thin.is_empty:
        return geometry
    out = mapping(shapely.set_precision(thin, 1e-7))
    return {"type": out["type"], "coordinates": _lists(out["coordinates"])}


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], float | int):
            return [round(float(v), 7) for v in value]
        return [_lists(v) for v in value]
    return value
