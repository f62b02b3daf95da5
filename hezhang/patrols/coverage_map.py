"""Walked and not-walked parts of a reach, as lines for the map, from the scorer's intervals along it.

The scorer measures a reach in its own local metric frame (equirectangular about the centre of its extent),
parts one after another; cutting here uses the same measure, so an interval maps back onto the same metres.
No Django here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hezhang.geo.spatial import metres_per_degree

__all__ = ["as_lines", "split_reach"]

Line = list[list[float]]


def as_lines(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """A reach as lines: a lake or reservoir zone (a polygon) is patrolled along its shore, so its rings count."""
    if not geometry:
        return None
    kind = geometry.get("type")
    if kind in ("LineString", "MultiLineString"):
        return geometry
    if kind == "Polygon":
        return {"type": "MultiLineString", "coordinates": list(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {
            "type": "MultiLineString",
            "coordinates": [ring for poly in geometry["coordinates"] for ring in poly],
        }
    return None


def _parts(geometry: dict[str, Any]) -> list[Line]:
    if geometry.get("type") == "LineString":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiLineString":
        return list(geometry["coordinates"])
    return []


def _cut(parts: list[Line], kx: float, ky: float, lo: float, hi: float) -> list[Line]:
    """The pieces of the reach between measures lo and hi (metres from its start)."""
    pieces: list[Line] = []
    offset = 0.0
    for part in parts:
        piece: Line = []
        for (x1, y1, *_), (x2, y2, *_) in zip(part, part[1:], strict=False):
            length = math.hypot((x2 - x1) * kx, (y2 - y1) * ky)
            start, end = offset, offset + length
            if length > 0 and end > lo and start < hi:
                a = max(lo, start) - start
                b = min(hi, end) - start
                p = [x1 + (x2 - x1) * a / length, y1 + (y2 - y1) * a / length]
                q = [x1 + (x2 - x1) * b / length, y1 + (y2 - y1) * b / length]
                if not piece or piece[-1] != p:
                    if piece:
                        pieces.append(piece)
                    piece = [p]
                piece.append(q)
            elif piece and start >= hi:
                break
            offset = end
        if piece:
            pieces.append(piece)
            piece = []
    return [[[round(x, 7), round(y, 7)] for x, y in piece] for piece in pieces if len(piece) >= 2]


def split_reach(
    geometry: dict[str, Any], intervals: Sequence[Sequence[float]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(walked, not walked) parts of the reach as GeoJSON MultiLineStrings."""
    parts = _parts(as_lines(geometry) or {})
    coords = [c for part in parts for c in part]
    if not coords:
        empty: dict[str, Any] = {"type": "MultiLineString", "coordinates": []}
        return empty, empty
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    kx, ky = metres_per_degree((min(lats) + max(lats)) / 2)
    del lons
    total = sum(
        math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * ky)
        for part in parts
        for a, b in zip(part, part[1:], strict=False)
    )
    walked: list[Line] = []
    gaps: list[Line] = []
    cursor = 0.0
    for lo, hi in sorted((float(a), float(b)) for a, b in intervals):
        if lo > cursor:
            gaps += _cut(parts, kx, ky, cursor, lo)
        walked += _cut(parts, kx, ky, lo, hi)
        cursor = max(cursor, hi)
    if cursor < total:
        gaps += _cut(parts, kx, ky, cursor, total + 1)
    return (
        {"type": "MultiLineString", "coordinates": walked},
        {"type": "MultiLineString", "coordinates": gaps},
    )
