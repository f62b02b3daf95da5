"""Pure geometry for the demo's water: meandering rivers, a dendritic network, canals, lakes, and reaches.

Works in the local km plane of `land.Frame`; no Django here. A river is generated from source to mouth:
a random midpoint-displacement path for its large-scale wandering, then meanders (a sine of slowly
varying wavelength and amplitude, tapered at both ends) offset across it, then smoothed. Tributaries
start upstream of a point on their parent and end exactly on it, and never cross another river.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from hezhang.registry.demo.land import XY, blob

SIMPLIFY_KM = 0.004


@dataclass
class River:
    """One river or canal of the generated network, flowing from its first point to its last."""

    index: int
    level: int
    line: LineString
    parent: int | None = None
    side: str = ""  # bank of the parent it joins: "L" or "R" looking downstream
    at: float = 0.0  # where it joins, in km along the parent
    kind: str = "river"
    children: list[int] = field(default_factory=list)


def _unit(dx: float, dy: float) -> XY:
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def _smooth_noise(rng: random.Random, n: int, knots: int) -> np.ndarray:
    """n values in [0, 1] varying slowly: random knots, linearly interpolated."""
    xs = np.linspace(0, 1, knots)
    ys = np.array([rng.random() for _ in range(knots)])
    return np.interp(np.linspace(0, 1, n), xs, ys)


def _chaikin(pts: np.ndarray, rounds: int) -> np.ndarray:
    for _ in range(rounds):
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        pts = np.vstack((pts[:1], mid, pts[-1:]))
    return pts


def meander(
    rng: random.Random,
    start: XY,
    end: XY,
    *,
    wander: float = 0.12,
    amplitude: float = 0.3,
    wavelength: tuple[float, float] = (1.2, 2.6),
    step: float = 0.08,
    depth: int | None = None,
) -> LineString:
    """A river-like simple line from start to end (both kept exactly)."""
    if depth is None:
        # Wander at scales down to about a kilometre; finer wiggles are the meanders' job.
        depth = max(1, min(6, int(math.log2(max(1.0, math.dist(start, end) / 0.9)))))
    for _attempt in range(12):
        line = _meander_once(rng, start, end, wander, amplitude, wavelength, step, depth)
        if line.is_simple:
            # Smoothing leaves far more vertices than the eye needs; a few metres of tolerance drop most.
            lean = line.simplify(SIMPLIFY_KM)
            return lean if lean.is_simple else line
        wander *= 0.75
        amplitude *= 0.7
    return LineString([start, end])


def _meander_once(
    rng: random.Random,
    start: XY,
    end: XY,
    wander: float,
    amplitude: float,
    wavelength: tuple[float, float],
    step: float,
    depth: int,
) -> LineString:
    pts = [start, end]
    for _level in range(depth):
        out = [pts[0]]
        for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
            length = math.hypot(bx - ax, by - ay)
            ux, uy = _unit(bx - ax, by - ay)
            off = max(-0.35, min(0.35, rng.gauss(0, wander))) * length
            out += [((ax + bx) / 2 - uy * off, (ay + by) / 2 + ux * off), (bx, by)]
        pts = out
    base = LineString(pts)
    total = base.length
    n = max(int(total / step), 8)
    dist = np.linspace(0.0, total, n + 1)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(base, dist))
    # Normals from a smoothed copy, so the meanders swing across the valley rather than every kink.
    window = max(3, int(min(wavelength) / step))
    kernel = np.ones(window) / window
    padded = np.pad(xy, ((window, window), (0, 0)), mode="edge")
    smooth = np.column_stack([np.convolve(padded[:, k], kernel, mode="same")[window:-window] for k in (0, 1)])
    tangent = np.gradient(smooth, axis=0)
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    norm[norm == 0] = 1.0
    normal = np.column_stack((-tangent[:, 1] / norm, tangent[:, 0] / norm))
    knots = max(3, int(total / max(wavelength)) + 2)
    lam = wavelength[0] + (wavelength[1] - wavelength[0]) * _smooth_noise(rng, n + 1, knots)
    phase = np.cumsum(2 * np.pi * np.gradient(dist) / lam) + rng.uniform(0, 2 * math.pi)
    amp = amplitude * (0.35 + 0.65 * _smooth_noise(rng, n + 1, knots))
    ramp = max(wavelength)
    taper = np.clip(np.minimum(dist, total - dist) / ramp, 0.0, 1.0)
    skew = rng.uniform(0, 2 * math.pi)
    offset = amp * taper * (np.sin(phase) + 0.3 * np.sin(2 * phase + skew))
    moved = xy + normal * offset[:, None]
    moved[0], moved[-1] = start, end
    return LineString(_chaikin(moved, 2))


def canal(
    rng: random.Random, start: XY, heading: float, length: float, stay_in: Polygon
) -> LineString | None:
    """A man-made channel: long straight runs with a few gentle turns, stopping before it leaves `stay_in`."""
    pts = [start]
    x, y = start
    walked = 0.0
    while walked < length:
        run = rng.uniform(1.5, 4.0)
        heading += rng.uniform(-0.25, 0.25)
        nx, ny = x + run * math.cos(heading), y + run * math.sin(heading)
        if not stay_in.contains(Point(nx, ny)):
            break
        pts.append((nx, ny))
        x, y = nx, ny
        walked += run
    if len(pts) < 3:
        return None
    dense = shapely.segmentize(LineString(pts), 0.2)
    return LineString(_chaikin(shapely.get_coordinates(dense), 2)).simplify(SIMPLIFY_KM)


def tangent_at(line: LineString, d: float) -> XY:
    a = line.interpolate(max(0.0, d - 0.15))
    b = line.interpolate(min(line.length, d + 0.15))
    return _unit(b.x - a.x, b.y - a.y)


def beside(line: LineString, d: float, offset: float) -> XY:
    """A point `offset` km to the left (negative: right) of the line at distance d along it."""
    p = line.interpolate(d)
    tx, ty = tangent_at(line, d)
    return p.x - ty * offset, p.y + tx * offset


class Obstacles:
    """What a new river must keep clear of, with a spatial index rebuilt as the network grows."""

    def __init__(self) -> None:
        self.geoms: list[shapely.Geometry] = []
        self.owner: list[int] = []
        self._tree: shapely.STRtree | None = None

    def add(self, geom: shapely.Geometry, owner: int) -> None:
        self.geoms.append(geom)
        self.owner.append(owner)
        self._tree = None

    def near(self, geom: shapely.Geometry, distance: float) -> list[int]:
        if not self.geoms:
            return []
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return [self.owner[i] for i in self._tree.query(geom, predicate="dwithin", distance=distance)]


_INSETS: dict[tuple[bytes, float], Polygon] = {}


def _inset(area: Polygon, distance: float) -> Polygon:
    """area.buffer(distance), remembered: tributaries are grown one at a time against the same county."""
    key = (area.wkb, distance)
    if key not in _INSETS:
        if len(_INSETS) > 64:
            _INSETS.clear()
        _INSETS[key] = area.buffer(distance)
    return _INSETS[key]


def _county_crossings(line: LineString, county: Polygon) -> int:
    return len(shapely.get_parts(line.intersection(county.exterior)))


def main_river(rng: random.Random, county: Polygon, west: float = math.pi, east: float = 0.0) -> LineString:
    """A river that enters the county on one side and leaves on the other, crossing the border twice only."""
    c = county.centroid
    span = math.hypot(county.bounds[2] - county.bounds[0], county.bounds[3] - county.bounds[1])
    for _ in range(50):
        ends = []
        for angle in (west + rng.uniform(-0.3, 0.3), east + rng.uniform(-0.3, 0.3)):
            far = Point(c.x + span * math.cos(angle), c.y + span * math.sin(angle))
            edge = county.exterior.interpolate(county.exterior.project(far))
            ux, uy = _unit(edge.x - c.x, edge.y - c.y)
            ends.append((edge.x + 5 * ux, edge.y + 5 * uy))
        line = meander(rng, ends[0], ends[1], wander=0.08, amplitude=0.5, wavelength=(2.5, 4.5), step=0.1)
        if _county_crossings(line, county) == 2:
            return line
    raise RuntimeError("no main river found")


def outflow(
    rng: random.Random,
    rivers: list[River],
    obstacles: Obstacles,
    county: Polygon,
    level: int,
    clearance: float = 0.6,
    tries: int = 60,
    min_gap: float = 0.0,
) -> River | None:
    """A river rising in the emptiest part of the county and leaving it without meeting the others.

    None if no place is at least `min_gap` km from everything already there, or no course was found.
    """
    core = county.buffer(-2.0)
    minx, miny, maxx, maxy = core.bounds
    candidates = []
    for _ in range(300):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if core.contains(p):
            gap = min((g.distance(p) for g in obstacles.geoms), default=99.0)
            candidates.append((gap, p))
    candidates.sort(key=lambda gp: -gp[0])
    for gap, source in candidates[:5]:
        if gap < min_gap:
            break
        for _ in range(tries // 5):
            angle = rng.uniform(0, 2 * math.pi)
            far = Point(source.x + 80 * math.cos(angle), source.y + 80 * math.sin(angle))
            edge = county.exterior.interpolate(county.exterior.project(far))
            ux, uy = _unit(edge.x - source.x, edge.y - source.y)
            mouth = (edge.x + 3 * ux, edge.y + 3 * uy)
            if math.dist((source.x, source.y), mouth) < 6:
                continue
            line = meander(
                rng, (source.x, source.y), mouth, wander=0.1, amplitude=0.35, wavelength=(1.5, 3.0), step=0.07
            )
            if _county_crossings(line, county) != 1 or obstacles.near(line, clearance):
                continue
            river = River(len(rivers), level, line)
            rivers.append(river)
            obstacles.add(line, river.index)
            return river
    return None


def join(
    rng: random.Random,
    rivers: list[River],
    obstacles: Obstacles,
    county: Polygon,
    parent: River,
    level: int,
    length: tuple[float, float],
    *,
    from_outside: bool = False,
    clearance: float = 0.45,
    tries: int = 40,
    amplitude: float = 0.25,
) -> River | None:
    """Grow one tributary of `parent`; None when no place for it was found in `tries` attempts."""
    inner, inside, core = _inset(county, -1.0), _inset(county, -0.15), _inset(county, -0.8)
    for _ in range(tries):
        at = rng.uniform(0.05, 0.97) * parent.line.length
        mouth = parent.line.interpolate(at)
        if not inner.contains(mouth):
            continue
        tx, ty = tangent_at(parent.line, at)
        side = rng.choice((1.0, -1.0))
        theta = math.radians(rng.uniform(35, 80))
        reach = rng.uniform(*length)
        sx = mouth.x - tx * reach * math.cos(theta) - side * ty * reach * math.sin(theta)
        sy = mouth.y - ty * reach * math.cos(theta) + side * tx * reach * math.sin(theta)
        source = Point(sx, sy)
        if from_outside == core.contains(source):
            continue
        # Cheap test on the straight course first: most rejected candidates fail here, before meandering.
        straight = LineString([(sx, sy), (mouth.x, mouth.y)])
        if straight.length > 0.8 and obstacles.near(substring(straight, 0, straight.length - 0.8), clearance):
            continue
        line = meander(
            rng,
            (sx, sy),
            (mouth.x, mouth.y),
            wander=0.12,
            amplitude=amplitude,
            wavelength=(max(0.6, reach / 8), max(1.2, reach / 4)),
            step=0.06,
        )
        if line.length < 0.6:
            continue
        if from_outside:
            if _county_crossings(line, county) != 1:
                continue
        elif not inside.contains(line):
            continue
        head = substring(line, 0, line.length - 0.6)
        if obstacles.near(head, clearance):
            continue
        tail = substring(line, line.length - 0.6, line.length)
        if [o for o in obstacles.near(tail, 0.12) if o != parent.index]:
            continue
        touching = line.intersection(parent.line)
        if any(p.distance(mouth) > 1e-6 for p in shapely.get_parts(touching)):
            continue
        river = River(len(rivers), level, line, parent.index, "L" if side > 0 else "R", at)
        rivers.append(river)
        parent.children.append(river.index)
        obstacles.add(line, river.index)
        return river
    return None


def reservoir_at_source(
    rng: random.Random, river: River, obstacles: Obstacles, county: Polygon, radius: float
) -> Polygon | None:
    """A reservoir whose dam is the river's source: the river is cut back to where it leaves the water."""
    start = Point(river.line.coords[0])
    ux, uy = tangent_at(river.line, 0.3)
    center = (start.x - ux * radius * 0.8, start.y - uy * radius * 0.8)
    shape = blob(
        rng,
        center,
        radius * rng.uniform(1.1, 1.5),
        radius * rng.uniform(0.6, 0.9),
        roughness=0.18,
        vertices=96,
    )
    if not county.buffer(-0.5).contains(shape):
        return None
    if [o for o in obstacles.near(shape, 0.3) if o != river.index]:
        return None
    crossing = shapely.get_coordinates(river.line.intersection(shape.exterior))
    leave = [river.line.project(Point(x, y)) for x, y in crossing]
    if not leave or max(leave) > 0.4 * river.line.length:
        return None
    river.line = substring(river.line, max(leave), river.line.length)
    return shape


def place_blobs(
    rng: random.Random,
    area: Polygon,
    obstacles: Obstacles,
    n: int,
    radius: tuple[float, float],
    clearance: float,
    owner_base: int,
    tries: int = 400,
) -> list[Polygon]:
    """Up to n lake- or pond-shaped polygons inside `area`, clear of everything already there."""
    out: list[Polygon] = []
    minx, miny, maxx, maxy = area.bounds
    for _ in range(tries):
        if len(out) >= n:
            break
        r = rng.uniform(*radius)
        c = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        vertices = 64 if r > 0.5 else 24
        shape = blob(rng, c, r, r * rng.uniform(0.55, 0.95), roughness=0.15, vertices=vertices)
        if not area.contains(shape) or obstacles.near(shape, clearance):
            continue
        out.append(shape)
        obstacles.add(shape, owner_base + len(out))
    return out
