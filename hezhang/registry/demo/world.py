"""The demo county as pure geometry: its townships, villages, grids, rivers, lakes and reaches.

`make_world(seed)` returns everything in the local km plane; `county.py` names it and stores it.
Same seed, same world.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from hezhang.registry.demo import rivers as rv
from hezhang.registry.demo.cutting import cut, split_area
from hezhang.registry.demo.land import GRID_KM, XY, Frame, Warp, blob, partition

CENTER = (114.75, 37.2)  # lon, lat of the county's centre
AREA_KM2 = 1500.0
TOWNSHIPS = 12
VILLAGES = 120
REACHES = 385  # before the villages' own ponds are added


@dataclass
class Township:
    index: int
    shape: Polygon
    seat: XY
    is_seat: bool = False
    villages: list[int] = field(default_factory=list)


@dataclass
class Village:
    index: int
    township: int
    shape: Polygon
    seat: XY
    grids: list[Polygon] = field(default_factory=list)


@dataclass
class Surface:
    """A lake, reservoir, pond or small water body (polygon)."""

    index: int
    kind: str  # lake | reservoir | pond | small
    shape: Polygon
    river: int | None = None  # the river a reservoir feeds


@dataclass
class ReachPlan:
    """One reach to be stored: a stretch of a river or canal, or a zone of a surface."""

    water: tuple[str, int]  # ("river", river index) or ("surface", surface index)
    level: str  # "township" or "village": which kind of cell `cell` indexes
    cell: int
    shape: LineString | Polygon
    start: float = 0.0  # km along the river (lines only)
    end: float = 0.0
    villages: list[int] = field(default_factory=list)  # villages a township-level reach passes (each once)


@dataclass
class World:
    frame: Frame
    county: Polygon
    townships: list[Township]
    villages: list[Village]
    rivers: list[rv.River]
    surfaces: list[Surface]
    reaches: list[ReachPlan]
    village_tree: shapely.STRtree
    township_tree: shapely.STRtree

    def village_at(self, x: float, y: float) -> int | None:
        p = Point(x, y)
        for i in self.village_tree.query(p, predicate="intersects"):
            return int(i)
        hits = self.village_tree.query_nearest(p)
        return int(hits[0]) if len(hits) else None

    def township_at(self, x: float, y: float) -> int | None:
        v = self.village_at(x, y)
        return None if v is None else self.villages[v].township


def _county(rng: random.Random) -> Polygon:
    shape = blob(rng, (0.0, 0.0), 26.0, 18.5, roughness=0.16, vertices=420, rotation=rng.uniform(-0.15, 0.15))
    k = math.sqrt(AREA_KM2 / shape.area)
    return shapely.set_precision(affinity.scale(shape, k, k, origin=(0, 0)), GRID_KM)


def _regions(rng: random.Random, county: Polygon) -> tuple[list[Township], list[Village]]:
    shapes, seats = partition(
        rng,
        county,
        TOWNSHIPS,
        spacing=8.0,
        warp=Warp(rng, ((0.9, (7.0, 14.0), 4), (0.15, (2.0, 3.5), 4))),
        step=0.3,
    )
    townships = [Township(i, s, p) for i, (s, p) in enumerate(zip(shapes, seats, strict=True))]
    seat = min(townships, key=lambda t: Point(t.seat).distance(county.centroid))
    seat.is_seat = True
    # Villages in proportion to area, at least six per township.
    total = sum(t.shape.area for t in townships)
    counts = [max(6, round(VILLAGES * t.shape.area / total)) for t in townships]
    while sum(counts) != VILLAGES:
        k = (
            max(range(len(counts)), key=lambda i: counts[i])
            if sum(counts) > VILLAGES
            else rng.randrange(len(counts))
        )
        counts[k] += 1 if sum(counts) < VILLAGES else -1
    villages: list[Village] = []
    for t, n in zip(townships, counts, strict=True):
        spacing = math.sqrt(t.shape.area / n) * 0.55
        cells, points = partition(
            rng,
            t.shape,
            n,
            spacing,
            warp=Warp(rng, ((0.22, (2.0, 4.0), 3), (0.05, (0.6, 1.2), 3))),
            step=0.12,
            relax_rounds=1,
        )
        for cell, p in zip(cells, points, strict=True):
            v = Village(len(villages), t.index, cell, p)
            k = rng.choice((2, 3, 3, 4))
            v.grids, _ = partition(
                rng, cell, k, math.sqrt(cell.area / k) * 0.5, warp=None, step=0.1, relax_rounds=1
            )
            villages.append(v)
            t.villages.append(v.index)
    return townships, villages


def _network(
    rng: random.Random, county: Polygon, sizes: tuple[int, int, int]
) -> tuple[list[rv.River], list[Surface], rv.Obstacles]:
    rivers: list[rv.River] = []
    obstacles = rv.Obstacles()
    main = rv.River(0, 0, rv.main_river(rng, county))
    rivers.append(main)
    obstacles.add(main.line, 0)
    north = None
    for _ in range(20):
        north = rv.join(
            rng, rivers, obstacles, county, main, 0, (14.0, 22.0), from_outside=True, amplitude=0.4
        )
        if north is not None:
            break
    majors = [main] + ([north] if north else [])
    n1, n2, n3 = sizes
    for _ in range(n1):
        rv.join(rng, rivers, obstacles, county, rng.choice(majors), 1, (8.0, 16.0), amplitude=0.3)
    for _ in range(2):
        rv.outflow(rng, rivers, obstacles, county, 1)
    surfaces: list[Surface] = []
    firsts = [r for r in rivers if r.level == 1]
    rng.shuffle(firsts)
    for river in firsts:
        if len(surfaces) == 2:
            break
        shape = rv.reservoir_at_source(rng, river, obstacles, county, rng.uniform(0.9, 1.3))
        if shape is not None:
            surfaces.append(Surface(len(surfaces), "reservoir", shape, river.index))
            obstacles.add(shape, 10_000 + len(surfaces))
    for level, count in ((2, n2), (3, n3)):
        for _ in range(count):
            _tributary(rng, rivers, obstacles, county, level)
    _canals(rng, county, rivers, obstacles)
    for kind, n, radius, clearance in (("lake", 2, (1.0, 1.6), 0.4), ("pond", 10, (0.12, 0.3), 0.25)):
        for shape in rv.place_blobs(
            rng, county.buffer(-1.0), obstacles, n, radius, clearance, 20_000 + len(surfaces)
        ):
            surfaces.append(Surface(len(surfaces), kind, shapely.set_precision(shape, GRID_KM)))
    return rivers, surfaces, obstacles


def _tributary(
    rng: random.Random, rivers: list[rv.River], obstacles: rv.Obstacles, county: Polygon, level: int
) -> rv.River | None:
    parents = [r for r in rivers if r.level in (level - 1, level - 2) and r.kind == "river"]
    weights = [r.line.length * (3 if r.level == level - 1 else 1) for r in parents]
    parent = rng.choices(parents, weights)[0]
    length = (3.5, 8.0) if level == 2 else (1.8, 4.5)
    return rv.join(
        rng, rivers, obstacles, county, parent, level, length, amplitude=0.18 if level == 2 else 0.1
    )


def _canals(rng: random.Random, county: Polygon, rivers: list[rv.River], obstacles: rv.Obstacles) -> None:
    """An irrigation trunk canal drawn off the main river's right bank, and branches off the trunk.

    Canals may cross rivers (by siphons) but should not run alongside one.
    """
    main = rivers[0]
    inside = county.buffer(-0.4)
    banks = shapely.union_all([r.line for r in rivers]).buffer(0.35)

    def lonely(line: LineString | None, allowance: float) -> bool:
        return (
            line is not None
            and line.is_simple
            and line.intersection(banks).length < allowance * line.length + 0.8
        )

    trunk = None
    for _ in range(60):
        d = rng.uniform(0.2, 0.6) * main.line.length
        p = main.line.interpolate(d)
        if not inside.contains(p):
            continue
        tx, ty = rv.tangent_at(main.line, d)
        # Off the right bank, heading away from the river.
        candidate = rv.canal(rng, (p.x, p.y), math.atan2(-tx, ty) + rng.uniform(-0.5, 0.5), 22.0, inside)
        if candidate is not None and candidate.length > 12 and lonely(candidate, 0.15):
            trunk = candidate
            break
    if trunk is None:
        return
    trunk_river = rv.River(len(rivers), 1, trunk, kind="canal")
    rivers.append(trunk_river)
    obstacles.add(trunk, trunk_river.index)
    for share, turn in ((0.3, 1.0), (0.55, -1.0), (0.8, 1.0)):
        for _ in range(40):
            d = rng.uniform(share - 0.1, share + 0.1) * trunk.length
            q = trunk.interpolate(d)
            ux, uy = rv.tangent_at(trunk, d)
            heading = math.atan2(uy, ux) + turn * math.pi / 2 + rng.uniform(-0.3, 0.3)
            branch = rv.canal(rng, (q.x, q.y), heading, rng.uniform(7.0, 11.0), inside)
            if lonely(branch, 0.25):
                river = rv.River(len(rivers), 2, branch, trunk_river.index, kind="canal", at=d)
                rivers.append(river)
                obstacles.add(branch, river.index)
                break


def _river_reaches(world: World, river: rv.River) -> list[ReachPlan]:
    plans: list[ReachPlan] = []
    townships = [t.shape for t in world.townships]
    villages = [v.shape for v in world.villages]
    if river.index == 0:
        for piece in cut(river.line, townships, world.township_tree, 0.3):
            if piece.cell is None:
                continue
            inside = cut(piece.line, villages, world.village_tree, 0.25)
            passed = list(dict.fromkeys(p.cell for p in inside if p.cell is not None))
            plans.append(
                ReachPlan(("river", 0), "township", piece.cell, piece.line, piece.start, piece.end, passed)
            )
        return plans
    for piece in cut(river.line, villages, world.village_tree, 0.25):
        if piece.cell is not None:
            plans.append(
                ReachPlan(("river", river.index), "village", piece.cell, piece.line, piece.start, piece.end)
            )
    return plans


def _reaches(world: World) -> list[ReachPlan]:
    plans: list[ReachPlan] = []
    villages = [v.shape for v in world.villages]
    for river in world.rivers:
        plans += _river_reaches(world, river)
    for surface in world.surfaces:
        if surface.kind in ("lake", "reservoir"):
            for cell, zone in split_area(surface.shape, villages, world.village_tree):
                plans.append(ReachPlan(("surface", surface.index), "village", cell, zone))
        else:
            best = max(
                (int(i) for i in world.village_tree.query(surface.shape, predicate="intersects")),
                key=lambda i: surface.shape.intersection(villages[i]).area,
            )
            plans.append(ReachPlan(("surface", surface.index), "village", best, surface.shape))
    return plans


def _small_waters(rng: random.Random, world: World) -> None:
    """A village pond (坑塘) for every village no other water touches, so every village chief has a water."""
    wet = {p.cell for p in world.reaches if p.level == "village"}
    wet |= {v for p in world.reaches for v in p.villages}
    obstacles = rv.Obstacles()
    for river in world.rivers:
        obstacles.add(river.line, river.index)
    for s in world.surfaces:
        obstacles.add(s.shape, 10_000 + s.index)
    for village in world.villages:
        if village.index in wet:
            continue
        area = village.shape.buffer(-0.15)
        if area.is_empty:
            continue
        shapes = rv.place_blobs(rng, area, obstacles, 1, (0.04, 0.09), 0.1, 30_000 + village.index)
        if shapes:
            surface = Surface(len(world.surfaces), "small", shapely.set_precision(shapes[0], GRID_KM))
            world.surfaces.append(surface)
            world.reaches.append(
                ReachPlan(("surface", surface.index), "village", village.index, surface.shape)
            )


def make_world(seed: int = 7, sizes: tuple[int, int, int] = (10, 45, 55), reaches: int = REACHES) -> World:
    """The county: a network of the given sizes (level-1, -2, -3 tributaries), topped up to about `reaches`."""
    rng = random.Random(seed)
    frame = Frame(*CENTER)
    county = _county(rng)
    townships, villages = _regions(rng, county)
    rivers, surfaces, obstacles = _network(rng, county, sizes)
    world = World(
        frame,
        county,
        townships,
        villages,
        rivers,
        surfaces,
        [],
        shapely.STRtree([v.shape for v in villages]),
        shapely.STRtree([t.shape for t in townships]),
    )
    world.reaches = _reaches(world)
    # Rivers of their own where the land is still dry, then small ditches until the registry has about
    # as many reaches as a county of this size keeps.
    for _ in range(2):
        river = rv.outflow(rng, rivers, obstacles, county, 1, min_gap=5.0)
        if river is not None:
            world.reaches += _river_reaches(world, river)
    for _ in range(400):
        if len(world.reaches) >= reaches:
            break
        river = _tributary(rng, rivers, obstacles, county, 2 if rng.random() < 0.3 else 3)
        if river is not None:
            world.reaches += _river_reaches(world, river)
    _small_waters(rng, world)
    return world
