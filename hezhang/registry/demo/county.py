"""The demo county (清漳县): regions, water bodies and reaches built from the generated world.

`build_county()` is idempotent: when the county is already there it only reports what is there.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from shapely.geometry import Point

from hezhang.history.context import not_recorded
from hezhang.registry.demo import bulk, layout
from hezhang.registry.demo import names as nm
from hezhang.registry.demo.land import blob, geojson
from hezhang.registry.demo.rivers import River
from hezhang.registry.demo.world import ReachPlan, World, make_world
from hezhang.registry.models import Reach, Region, WaterBody, WaterBodyKind

PROVINCE_CODE, PROVINCE_NAME = "130000000000", "河北省"
CITY_CODE, CITY_NAME = "135100000000", "漳滏市"
COUNTY_CODE, COUNTY_NAME = "135123000000", "清漳县"
MAJOR_NAMES = ("滏清河", "洺沙河")
CANAL_STEMS = ("跃进", "红旗", "幸福", "民主")
BASIN = "CDE"  # SL 249-2012 style: basin, water system and river letters

Log = Callable[[str], None]


@dataclass
class Ctx:
    """Everything one county build creates, handed from step to step."""

    seed: int
    world: World
    rng: random.Random
    province: Region
    city: Region
    county: Region
    townships: list[Region] = field(default_factory=list)
    villages: list[Region] = field(default_factory=list)
    rivers: dict[int, WaterBody] = field(default_factory=dict)
    surfaces: dict[int, WaterBody] = field(default_factory=dict)
    reaches: list[tuple[ReachPlan, Reach]] = field(default_factory=list)
    landmarks: list = field(default_factory=list)  # reaches.Landmark
    extras: dict = field(default_factory=dict)

    def water(self, plan: ReachPlan) -> WaterBody:
        kind, index = plan.water
        return self.rivers[index] if kind == "river" else self.surfaces[index]

    def region(self, plan: ReachPlan) -> Region:
        return self.townships[plan.cell] if plan.level == "township" else self.villages[plan.cell]


def demo_present() -> bool:
    return Region.objects.filter(code=COUNTY_CODE).exists()


def timed(log: Log | None, label: str, started: float) -> float:
    now = time.perf_counter()
    if log:
        log(f"  {label}: {now - started:.1f} s")
    return now


def build_county(seed: int = 7, log: Log | None = None) -> dict:
    """Build the demo county unless it is already there; return the demo accounts and the counts.

    The result is {"built": whether anything was built, "accounts": [...], "counts": {...}}.
    """
    from hezhang.registry.demo import facilities, people, texts
    from hezhang.registry.demo.accounts import check_free, demo_accounts
    from hezhang.registry.demo.reaches import reaches

    built = not demo_present()
    if built:
        check_free()
        t = time.perf_counter()
        world = make_world(seed)
        t = timed(log, "地理生成 geometry", t)
        with not_recorded(), transaction.atomic():
            ctx = regions(seed, world)
            t = timed(log, "行政区 regions", t)
            waters(ctx)
            reaches(ctx)
            t = timed(log, "水体与河段 water bodies and reaches", t)
            people.organise(ctx)
            t = timed(log, "河长办、部门、用户、河长 offices, departments, users, chiefs", t)
            facilities.place(ctx)
            texts.write(ctx)
            t = timed(log, "公示牌、部件、断面、排污口、一河一档、一河一策 facilities and plans", t)
        texts.record_story()
    from hezhang.registry.demo.summary import counts

    return {"built": built, "accounts": demo_accounts(), "counts": counts()}


# Regions ---------------------------------------------------------------------------------------------


def _region(code: str, name: str, level: int, parent: Region | None, geometry: dict | None) -> Region:
    return bulk.ready(Region(code=code, name=name, level=level, parent=parent, geometry=geometry))


def regions(seed: int, world: World) -> Ctx:
    rng = random.Random(seed * 7919 + 1)
    frame = world.frame
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        outline = layout.province_outline()
        province = _region(PROVINCE_CODE, PROVINCE_NAME, 1, None, geojson(outline))
        province.save()
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        around = blob(random.Random(seed), (0.0, 0.0), 31.0, 33.0, roughness=0.12, vertices=300)
        shape = shapely.union(around, world.county.buffer(0.5))
        city = _region(CITY_CODE, CITY_NAME, 2, province, frame.geojson(shape))
        city.save()
    county = _region(COUNTY_CODE, COUNTY_NAME, 3, city, frame.geojson(world.county))
    county.save()
    ctx = Ctx(seed, world, rng, province, city, county)

    # The seat is a subdistrict (街道, 001); then towns (镇, 1xx) and townships (乡, 2xx), north-west first.
    order = sorted(world.townships, key=lambda t: (not t.is_seat, round(-t.seat[1] / 8), t.seat[0]))
    stems = nm.UniqueNames()
    township_rows: dict[int, Region] = {}
    towns = 0
    for t in order:
        stem = stems.take(rng, lambda r: r.choice(nm.TOWNSHIP_STEMS))
        if t.is_seat:
            code, name = "001", "清漳街道"
        elif towns < 7:
            towns += 1
            code, name = f"{100 + towns:03d}", stem + "镇"
        else:
            code, name = f"{200 + len(township_rows) - towns:03d}", stem + "乡"
        township_rows[t.index] = _region(
            COUNTY_CODE[:6] + code + "000", name, 4, county, frame.geojson(t.shape)
        )
    ctx.townships = [township_rows[i] for i in range(len(world.townships))]
    for row in ctx.townships:
        row.save()

    village_names = nm.UniqueNames()
    community_names = nm.UniqueNames()
    rows: dict[int, Region] = {}
    for t in world.townships:
        township = ctx.townships[t.index]
        members = sorted(t.villages, key=lambda i: Point(world.villages[i].seat).distance(Point(t.seat)))
        communities = 4 if t.is_seat else 1
        n_comm = n_vill = 0
        for rank, i in enumerate(members):
            if rank < communities:
                n_comm += 1
                name = (
                    community_names.take(rng, nm.community)
                    if t.is_seat
                    else community_names.take(rng, lambda r, s=township.name[:-1]: s + "社区")
                )
                code = f"{n_comm:03d}"
            else:
                n_vill += 1
                name = village_names.take(rng, nm.village)
                code = f"{200 + n_vill:03d}"
            rows[i] = _region(township.path + code, name, 5, township, frame.geojson(world.villages[i].shape))
    ctx.villages = [rows[i] for i in range(len(world.villages))]
    bulk.create(Region, ctx.villages)
    return ctx


# Water bodies ----------------------------------------------------------------------------------------


def bearing(origin: tuple[float, float], target: tuple[float, float]) -> str:
    angle = math.degrees(math.atan2(target[1] - origin[1], target[0] - origin[0])) % 360
    return ("东", "东北", "北", "西北", "西", "西南", "南", "东南")[int((angle + 22.5) // 45) % 8]


def _river_name(ctx: Ctx, river: River, taken: nm.UniqueNames, canal_stem: str) -> str:
    if river.kind == "canal":
        if river.parent is None:
            return taken.take(ctx.rng, lambda r: canal_stem + "干渠")
        branch = (
            sum(1 for r in ctx.world.rivers[: river.index] if r.kind == "canal" and r.parent is not None) + 1
        )
        return taken.take(ctx.rng, lambda r: canal_stem + nm.numeral(branch) + "支渠")
    if river.index < len(MAJOR_NAMES) and river.level == 0:
        taken.taken.add(MAJOR_NAMES[river.index])
        return MAJOR_NAMES[river.index]
    return taken.take(ctx.rng, lambda r: nm.river(r, max(1, river.level)))


def waters(ctx: Ctx) -> None:
    world, rng = ctx.world, ctx.rng
    county6 = COUNTY_CODE[:6]
    taken = nm.UniqueNames(MAJOR_NAMES)
    canal_stem = rng.choice(CANAL_STEMS)
    by_river: dict[int, list[ReachPlan]] = defaultdict(list)
    by_surface: dict[int, list[ReachPlan]] = defaultdict(list)
    for plan in world.reaches:
        (by_river if plan.water[0] == "river" else by_surface)[plan.water[1]].append(plan)
    ctx.extras["by_river"], ctx.extras["by_surface"] = by_river, by_surface

    seq: dict[int, int] = defaultdict(int)
    river_seq: dict[int, int] = {}
    canals = 0
    rows: list[WaterBody] = []
    for river in world.rivers:
        name = _river_name(ctx, river, taken, canal_stem)
        if river.kind == "canal":
            canals += 1
            code, kind = f"QD{county6}{canals:03d}", WaterBodyKind.CANAL
        else:
            seq[river.level] += 1
            river_seq[river.index] = seq[river.level]
            parent_seq = river_seq.get(river.parent, 0) if river.parent is not None else 0
            code = f"{BASIN}{river.level}{seq[river.level]:03d}{parent_seq:03d}{river.side}"
            kind = WaterBodyKind.RIVER
        plans = by_river[river.index]
        leaves = _leaves_county(world, river)
        region = _managing_region(ctx, river, plans, leaves)
        length = river.line.length
        basin = {0: 5260.0 if river.index == 0 else 1380.0}.get(river.level, round(length**1.55 * 2.1, 1))
        rows.append(
            WaterBody(
                kind=kind,
                name=name,
                code=code,
                region=region,
                geometry=world.frame.geojson(river.line),
                basin_area_km2=None if river.kind == "canal" else basin,
                description="",
            )
        )
    bulk.create(WaterBody, rows)
    for river, row in zip(world.rivers, rows, strict=True):
        ctx.rivers[river.index] = row
    for river in world.rivers:
        if river.parent is not None and river.kind == "river":
            ctx.rivers[river.index].parent = ctx.rivers[river.parent]
    WaterBody.objects.bulk_update([r for r in rows if r.parent_id], ["parent"])

    surface_rows: list[WaterBody] = []
    counters: dict[str, int] = defaultdict(int)
    lakes = iter(nm.LAKE_NAMES)
    reservoirs = iter(nm.RESERVOIR_NAMES)
    prefix = {"lake": "HP", "reservoir": "SK", "pond": "TB", "small": "XW"}
    kinds = {
        "lake": WaterBodyKind.LAKE,
        "reservoir": WaterBodyKind.RESERVOIR,
        "pond": WaterBodyKind.POND,
        "small": WaterBodyKind.SMALL,
    }
    for surface in world.surfaces:
        plans = by_surface[surface.index]
        home = ctx.villages[plans[0].cell]
        if surface.kind == "lake":
            name = next(lakes)
        elif surface.kind == "reservoir":
            name = next(reservoirs)
        else:
            stem = nm.short_name(home.name) + ("塘坝" if surface.kind == "pond" else "坑塘")
            name = taken.take(rng, lambda r, s=stem: s)
        counters[surface.kind] += 1
        cells = {p.cell for p in plans}
        townships = {ctx.villages[c].parent_id for c in cells}
        if surface.kind == "reservoir" or len(townships) > 1:
            region = ctx.county
        elif len(cells) > 1:
            region = ctx.townships[world.villages[plans[0].cell].township]
        else:
            region = home
        surface_rows.append(
            WaterBody(
                kind=kinds[surface.kind],
                name=name,
                code=f"{prefix[surface.kind]}{county6}{counters[surface.kind]:03d}",
                region=region,
                geometry=world.frame.geojson(surface.shape),
            )
        )
    bulk.create(WaterBody, surface_rows)
    for surface, row in zip(world.surfaces, surface_rows, strict=True):
        ctx.surfaces[surface.index] = row
    _crossings(ctx)


def _leaves_county(world: World, river: River) -> bool:
    end = Point(river.line.coords[-1])
    return not world.county.contains(end)


def _managing_region(ctx: Ctx, river: River, plans: list[ReachPlan], leaves: bool) -> Region:
    """The lowest region that manages the whole river (河湖名录's 管理行政区)."""
    if river.index == 0:
        return ctx.province
    enters = not ctx.world.county.contains(Point(river.line.coords[0]))
    if enters or leaves:
        return ctx.city
    if river.kind == "canal":
        return ctx.county
    townships = {ctx.world.villages[p.cell].township for p in plans if p.level == "village"}
    if len(townships) == 1:
        return ctx.townships[townships.pop()]
    return ctx.county


def _crossings(ctx: Ctx) -> None:
    """WaterBody.regions: every village, township and county a water body crosses, and beyond for rivers that do."""
    through = WaterBody.regions.through
    links: set[tuple[int, int]] = set()
    for plan in ctx.world.reaches:
        water = ctx.water(plan)
        villages = [plan.cell] if plan.level == "village" else plan.villages
        townships = {plan.cell} if plan.level == "township" else set()
        for v in villages:
            links.add((water.pk, ctx.villages[v].pk))
            townships.add(ctx.world.villages[v].township)
        for t in townships:
            links.add((water.pk, ctx.townships[t].pk))
        links.add((water.pk, ctx.county.pk))
        if water.region_id in (ctx.city.pk, ctx.province.pk):
            links.add((water.pk, ctx.city.pk))
        if water.region_id == ctx.province.pk:
            links.add((water.pk, ctx.province.pk))
    through.objects.bulk_create(
        [through(waterbody_id=w, region_id=r) for w, r in sorted(links)], batch_size=bulk.BATCH
    )
