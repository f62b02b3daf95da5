"""Checking and normalising GeoJSON geometries submitted by people.

Geometries arrive from hand-drawn map edits, shapefile imports and API
clients, and the people who fix them are river-office staff rather than GIS
specialists.  So every rejection names the problem and where it is, in
Chinese, and everything accepted comes out in one canonical form: WGS84
floats rounded to 7 decimals (about a centimetre), no repeated vertices,
rings oriented by the GeoJSON right-hand rule.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

__all__ = ["CHINA_EXTENT", "GeometryError", "bbox", "validate_geometry"]

# lon_min, lat_min, lon_max, lat_max: generous enough for the South China Sea
# islands and the far north-east, tight enough to catch swapped or
# projected coordinates, which are the usual import mistakes.
CHINA_EXTENT: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)

_DECIMALS = 7

_SUPPORTED = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")

Position = tuple[float, float]
Extent = tuple[float, float, float, float]


class GeometryError(ValueError):
    """A geometry was rejected; the message is meant to be shown to the user."""


def _fmt(value: float) -> str:
    # Short enough to read in a form error, precise enough to find the spot
    # on a map: at least two decimals, at most the stored seven.
    text = f"{value:.{_DECIMALS}f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _fmt_xy(lon: float, lat: float) -> str:
    return f"({_fmt(lon)}, {_fmt(lat)})"


def _at(where: str) -> str:
    return f" ({where})" if where else ""


def _in_extent(lon: float, lat: float, extent: Extent) -> bool:
    return extent[0] <= lon <= extent[2] and extent[1] <= lat <= extent[3]


class _Reader:
    """Turns raw coordinate arrays into checked, rounded tuples."""

    def __init__(self, extent: Extent | None) -> None:
        self.extent = extent

    def _swap_hint(self, lon: float, lat: float) -> str:
        # Latitude-first input is the most common mistake in spreadsheets,
        # so say so when swapping would have produced a sensible point.
        target = self.extent or (-180.0, -90.0, 180.0, 90.0)
        return "，是否把经纬度写反了？" if _in_extent(lat, lon, target) else ""

    def position(self, raw: Any, where: str) -> Position:
        if not isinstance(raw, list | tuple) or len(raw) not in (2, 3):
            shown = json.dumps(raw, ensure_ascii=False, default=str)
            if len(shown) > 40:
                shown = shown[:37] + "..."
            raise GeometryError(
                f"坐标格式错误：应为 [经度, 纬度] 或 [经度, 纬度, 高程]，收到 {shown}{_at(where)}"
            )
        values: list[float] = []
        for name, v in zip(("经度", "纬度"), raw[:2], strict=True):
            # bool is an int subclass; true/false in coordinates is always a bug.
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise GeometryError(f"坐标格式错误：{name}应为有限的数字，收到 {v!r}{_at(where)}")
            values.append(round(float(v), _DECIMALS))
        lon, lat = values
        if not -180.0 <= lon <= 180.0:
            raise GeometryError(
                f"坐标超出范围：经度 {lon} 不在 -180～180 之间{self._swap_hint(lon, lat)}{_at(where)}"
            )
        if not -90.0 <= lat <= 90.0:
            raise GeometryError(
                f"坐标超出范围：纬度 {lat} 不在 -90～90 之间{self._swap_hint(lon, lat)}{_at(where)}"
            )
        if self.extent is not None and not _in_extent(lon, lat, self.extent):
            if self.extent == CHINA_EXTENT:
                region = "中国范围内"
            else:
                e = self.extent
                region = f"允许的范围内（经度 {e[0]}～{e[2]}，纬度 {e[1]}～{e[3]}）"
            raise GeometryError(
                f"坐标 {_fmt_xy(lon, lat)} 不在{region}{self._swap_hint(lon, lat)}{_at(where)}"
            )
        # Altitude is dropped: the platform works in plan view only, and
        # mixed 2D/3D input would otherwise make equal shapes compare unequal.
        return lon, lat

    def sequence(self, raw: Any, where: str, point_prefix: str) -> list[Position]:
        if not isinstance(raw, list | tuple):
            raise GeometryError(f"坐标格式错误：应为坐标点数组{_at(where)}")
        points = [self.position(p, f"{point_prefix}第 {i} 个点") for i, p in enumerate(raw, start=1)]
        # Repeated vertices carry no shape information but break the
        # segment-by-segment self-intersection test (a zero-length segment
        # "touches" both neighbours), so they are removed here.
        deduped = points[:1]
        for p in points[1:]:
            if p != deduped[-1]:
                deduped.append(p)
        return deduped


def _first_xy(geom: shapely.Geometry) -> Position:
    x, y = shapely.get_coordinates(geom)[0]
    return float(x), float(y)


def _line_self_intersection(points: list[Position]) -> Position | None:
    """Where a line crosses or overlaps itself, or None if it does not."""
    line = shapely.LineString(points)
    if shapely.is_simple(line):
        return None
    # GEOS only says "not simple"; to tell the user where, find the first
    # pair of non-neighbouring segments that meet.  Only lines already known
    # to be bad pay for this.
    xy = np.asarray(points, dtype=float)
    segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    last = len(segments) - 1
    closed = points[0] == points[-1]
    left, right = shapely.STRtree(segments).query(segments, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        meeting = shapely.intersection(segments[i], segments[j])
        neighbours = j == i + 1 or (closed and i == 0 and j == last)
        if neighbours and meeting.geom_type == "Point":
            continue
        return _first_xy(meeting)
    # Not reached for a non-simple line; kept as a safe answer anyway.
    return _first_xy(line)


_REASON = re.compile(r"^(?P<what>[^\[]+?)\s*(?:\[(?P<x>\S+) (?P<y>\S+)\])?$")

_POLYGON_PROBLEMS = {
    "Self-intersection": "多边形边界自相交",
    "Ring Self-intersection": "多边形的环与自身相接或自相交",
    "Hole lies outside shell": "内环（洞）超出了外环",
    "Holes are nested": "内环相互嵌套",
    "Interior is disconnected": "多边形内部被内环分割成不连通的部分",
    "Nested shells": "多个多边形相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Too few distinct points in geometry component": "多边形环至少需要 4 个点",
}


def _explain_invalid(kind: str, reason: str) -> str:
    match = _REASON.match(reason)
    what = match.group("what") if match else reason
    problem = _POLYGON_PROBLEMS.get(what, f"几何无效：{reason}")
    if kind == "MultiPolygon" and what == "Self-intersection":
        # For a MultiPolygon GEOS uses the same words when two members overlap.
        problem = "多边形边界自相交或多个多边形相互重叠"
    if match and match.group("x") is not None:
        try:
            where = _fmt_xy(float(match.group("x")), float(match.group("y")))
        except ValueError:
            return problem
        return f"{problem}于 {where} 附近"
    return problem


def _signed_area(ring: list[Position]) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def _read_line(reader: _Reader, raw: Any, where: str) -> list[list[float]]:
    points = reader.sequence(raw, where, where)
    if len(points) < 2:
        raise GeometryError(f"线至少需要两个不同的点{_at(where)}")
    crossing = _line_self_intersection(points)
    if crossing is not None:
        raise GeometryError(f"线段自相交于 {_fmt_xy(*crossing)} 附近{_at(where)}")
    return [list(p) for p in points]


def _read_polygon(reader: _Reader, raw: Any, prefix: str) -> list[list[list[float]]]:
    if not isinstance(raw, list | tuple) or not raw:
        raise GeometryError(f"多边形至少需要一个外环{_at(prefix)}")
    rings: list[list[list[float]]] = []
    for index, raw_ring in enumerate(raw):
        name = "外环" if index == 0 else f"第 {index} 个内环"
        points = reader.sequence(raw_ring, prefix + name, prefix + name)
        if len(points) > 1 and points[0] != points[-1]:
            raise GeometryError(f"多边形的{name}未闭合（首点与末点不同）{_at(prefix)}")
        if len(points) < 4:
            raise GeometryError(
                f"多边形环至少需要 4 个点（首末点相同，至少 3 个不同的点），"
                f"{name}去掉重复点后只有 {len(points)} 个{_at(prefix)}"
            )
        # RFC 7946: exterior counter-clockwise, holes clockwise.  Fixing it
        # silently is kinder than rejecting, as the spec itself advises.
        clockwise = _signed_area(points) < 0
        if clockwise != (index > 0):
            points.reverse()
        rings.append([list(p) for p in points])
    return rings


def _numbered(items: Any, noun: str) -> Iterator[tuple[Any, str]]:
    if not isinstance(items, list | tuple) or not items:
        raise GeometryError(f"几何坐标为空：至少需要一{noun}")
    for i, item in enumerate(items, start=1):
        yield item, f"第 {i} {noun}"


def _unwrap(geom: Any) -> dict[str, Any]:
    if isinstance(geom, str | bytes | bytearray):
        try:
            geom = json.loads(geom)
        except json.JSONDecodeError as exc:
            raise GeometryError(
                f"无法解析 GeoJSON：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 列）"
            ) from None
    if not isinstance(geom, dict):
        raise GeometryError(f"几何数据应为 GeoJSON 对象，收到 {type(geom).__name__}")
    kind = geom.get("type")
    if kind == "FeatureCollection":
        # A file exported from desktop GIS holding one drawn shape is a
        # collection of one; accept it rather than make people hand-edit it.
        features = geom.get("features") or []
        if len(features) != 1:
            raise GeometryError(f"FeatureCollection 中有 {len(features)} 个要素，只能提交一个")
        return _unwrap(features[0])
    if kind == "Feature":
        inner = geom.get("geometry")
        if not isinstance(inner, dict):
            raise GeometryError("要素（Feature）没有几何数据")
        return inner
    return geom


def validate_geometry(
    geom: Any,
    allowed_types: tuple[str, ...],
    extent: Extent | None = CHINA_EXTENT,
) -> dict[str, Any]:
    """Check a GeoJSON geometry (or Feature, or JSON text) and return it normalised.

    Raises GeometryError with a user-facing Chinese message on any problem.
    Pass extent=None to skip the regional bounds check.
    """
    data = _unwrap(geom)
    kind = data.get("type")
    if kind is None:
        raise GeometryError("GeoJSON 缺少 type 字段")
    if kind not in allowed_types:
        raise GeometryError(f"几何类型应为 {' 或 '.join(allowed_types)}，收到 {kind}")
    if kind not in _SUPPORTED:
        raise GeometryError(f"不支持的几何类型 {kind}")
    raw = data.get("coordinates")
    if raw is None:
        raise GeometryError("GeoJSON 缺少 coordinates 字段")

    reader = _Reader(extent)
    coords: Any
    if kind == "Point":
        coords = list(reader.position(raw, ""))
    elif kind == "MultiPoint":
        coords = [list(reader.position(p, where)) for p, where in _numbered(raw, "个点")]
    elif kind == "LineString":
        coords = _read_line(reader, raw, "")
    elif kind == "MultiLineString":
        # Parts may cross each other (branches meet at confluences); only
        # each part on its own must be simple.
        coords = [_read_line(reader, part, where) for part, where in _numbered(raw, "条线")]
    elif kind == "Polygon":
        coords = _read_polygon(reader, raw, "")
    else:
        coords = [_read_polygon(reader, part, where) for part, where in _numbered(raw, "个多边形")]

    result: dict[str, Any] = {"type": kind, "coordinates": coords}
    if kind in ("Polygon", "MultiPolygon"):
        reason = shapely.is_valid_reason(shape(result))
        if reason != "Valid Geometry":
            raise GeometryError(_explain_invalid(kind, str(reason)))
    return result


# How many list levels sit above the positions in each geometry type.
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _positions(data: dict[str, Any]) -> Iterator[Any]:
    kind = str(data.get("type"))
    if kind == "GeometryCollection":
        for part in data.get("geometries") or []:
            yield from _positions(part)
        return
    if kind not in _DEPTH:
        raise GeometryError(f"不支持的几何类型 {kind}")
    depth = _DEPTH[kind]
    stack: list[tuple[Any, int]] = [(data.get("coordinates") or [], depth)]
    while stack:
        node, level = stack.pop()
        if level == 0:
            if node:
                yield node
        else:
            stack.extend((child, level - 1) for child in node)


def bbox(geom: Any) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a GeoJSON geometry or Feature."""
    xs: list[float] = []
    ys: list[float] = []
    for position in _positions(_unwrap(geom)):
        xs.append(float(position[0]))
        ys.append(float(position[1]))
    if not xs:
        raise GeometryError("几何坐标为空，无法计算范围")
    return min(xs), min(ys), max(xs), max(ys)
