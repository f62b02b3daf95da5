"""Things on the banks of the demo county: signboards, assets, monitoring and boundary sections, outfalls."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import Point

from hezhang.registry.demo import bulk
from hezhang.registry.demo import names as nm
from hezhang.registry.demo import rivers as rv
from hezhang.registry.demo.land import geojson
from hezhang.registry.models import (
    Asset,
    AssetKind,
    ChiefAssignment,
    DepartmentKind,
    Office,
    Outfall,
    OutfallKind,
    Section,
    SectionKind,
    Signboard,
)

if TYPE_CHECKING:
    from hezhang.registry.demo.county import Ctx


def place(ctx: Ctx) -> None:
    rng = random.Random(ctx.seed * 17 + 3)
    _signboards(ctx, rng)
    _assets(ctx, rng)
    _sections(ctx, rng)
    _outfalls(ctx, rng)


def _point(ctx: Ctx, xy: tuple[float, float]) -> dict:
    lon, lat = ctx.world.frame.lonlat(*xy)
    return geojson(Point(lon, lat))


def _village(ctx: Ctx, xy: tuple[float, float]):
    return ctx.villages[ctx.world.village_at(*xy)]


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days))


def _chiefs(ctx: Ctx) -> tuple[dict, dict]:
    by_reach: dict[int, list] = defaultdict(list)
    by_water: dict[tuple[int, int], list] = defaultdict(list)
    for a in ChiefAssignment.objects.current().select_related("chief").order_by("level", "id"):
        if a.reach_id:
            by_reach[a.reach_id].append(a)
        else:
            by_water[(a.water_body_id, a.region_id)].append(a)
    return by_reach, by_water


LEVELS = {1: "省级河长", 2: "市级河长", 3: "县级河长", 4: "乡级河长", 5: "村级河长"}


def _signboards(ctx: Ctx, rng: random.Random) -> None:
    by_reach, by_water = _chiefs(ctx)
    phones = dict(Office.objects.values_list("region_id", "phone"))
    rows = []
    for n, (plan, reach) in enumerate(ctx.reaches, start=1):
        shape = plan.shape
        if shape.geom_type == "LineString":
            xy = rv.beside(shape, min(0.05, shape.length / 2), 0.03)
            size = f"河段长度：约 {shape.length:.1f} 公里"
        else:
            p = shape.exterior.interpolate(0.0)
            xy = (p.x, p.y)
            size = f"水域面积：约 {shape.area:.2f} 平方公里"
        township = ctx.townships[plan.cell] if plan.level == "township" else ctx.villages[plan.cell].parent
        water = reach.water_body
        chiefs = by_reach[reach.pk] + by_water[(water.pk, township.pk)] + by_water[(water.pk, ctx.county.pk)]
        chiefs += by_water[(water.pk, ctx.city.pk)] + by_water[(water.pk, ctx.province.pk)]
        chiefs.sort(key=lambda a: a.level)
        lines = [
            reach.name,
            f"河段起止：{'，'.join(x for x in (reach.start_description, reach.end_description) if x)}",
            size,
        ]
        lines += [f"{LEVELS[a.level]}：{a.chief.name}（{a.chief.position}）" for a in chiefs]
        lines += [
            "河长职责：组织开展河湖巡查，协调解决河湖管理保护中的问题，督促落实一河一策各项任务。",
            f"监督电话：{phones.get(township.pk) or phones.get(ctx.county.pk, '')}",
        ]
        rows.append(
            Signboard(
                code=f"GSP{ctx.county.path}{n:04d}",
                name=f"{reach.name}公示牌",
                region=_village(ctx, xy),
                reach=reach,
                installed_on=_day(rng, datetime.date(2018, 3, 1), datetime.date(2024, 10, 1)),
                content="\n".join(lines),
                geometry=_point(ctx, xy),
            )
        )
    bulk.create(Signboard, rows)


def _assets(ctx: Ctx, rng: random.Random) -> None:
    dept = ctx.extras["department_by_kind"]
    rows: list[Asset] = []

    def add(kind, name, xy, water, department):
        rows.append(
            Asset(
                code=f"BJ{ctx.county.path}{len(rows) + 1:05d}",
                name=name,
                kind=kind,
                region=_village(ctx, xy),
                water_body=water,
                department=department,
                geometry=_point(ctx, xy),
            )
        )

    for mark in ctx.landmarks:
        water = ctx.rivers[mark.river]
        if mark.kind == "bridge":
            add(AssetKind.BRIDGE, mark.text, mark.xy, water, dept[DepartmentKind.TRANSPORT])
        elif mark.kind == "sluice":
            add(AssetKind.SLUICE, mark.text, mark.xy, water, dept[DepartmentKind.WATER])
    world = ctx.world
    for river in world.rivers:
        water = ctx.rivers[river.index]
        line = river.line
        if river.kind == "canal":
            word = "进水闸" if river.parent is None else "分水闸"
            add(
                AssetKind.SLUICE,
                water.name + word,
                rv.beside(line, 0.05, 0.0),
                water,
                dept[DepartmentKind.WATER],
            )
            for k in range(rng.randint(2, 4)):
                d = rng.uniform(0.1, 0.9) * line.length
                xy = rv.beside(line, d, 0.0)
                name = f"{water.name}{nm.numeral(k + 1)}号涵洞"
                add(AssetKind.CULVERT, name, xy, water, dept[DepartmentKind.WATER])
            for other in world.rivers:
                if other.kind == "river" and other.level <= 2:
                    for x, y in shapely.get_coordinates(line.intersection(other.line)):
                        name = f"{water.name}穿{ctx.rivers[other.index].name}倒虹吸"
                        add(AssetKind.OTHER, name, (x, y), water, dept[DepartmentKind.WATER])
        elif river.parent is not None and (river.level <= 1 or rng.random() < 0.3):
            parent = ctx.rivers[river.parent]
            xy = rv.beside(line, max(0.0, line.length - 0.1), 0.0)
            add(AssetKind.SLUICE, f"{water.name}入{parent.name}口闸", xy, water, dept[DepartmentKind.WATER])
    main = world.rivers[0]
    for plan, reach in ctx.reaches:
        if plan.level != "township":
            continue
        side = rng.choice(("左", "右"))
        xy = rv.beside(main.line, (plan.start + plan.end) / 2, 0.08 if side == "左" else -0.08)
        add(
            AssetKind.DIKE,
            f"{reach.water_body.name}{side}堤{ctx.townships[plan.cell].name}段",
            xy,
            reach.water_body,
            dept[DepartmentKind.WATER],
        )
        xy = rv.beside(main.line, rng.uniform(plan.start, plan.end), 0.05)
        add(AssetKind.CAMERA, f"{reach.name}视频监控点", xy, reach.water_body, dept[DepartmentKind.WATER])
    seat = next(t for t in world.townships if t.is_seat)
    town_reaches = [
        (p, r)
        for p, r in ctx.reaches
        if p.shape.geom_type == "LineString" and _in_township(ctx, p, seat.index)
    ]
    for k in range(min(5, len(town_reaches))):
        plan, reach = town_reaches[(k * 7) % len(town_reaches)]
        xy = rv.beside(plan.shape, plan.shape.length / 2, 0.06)
        add(
            AssetKind.PUMP,
            f"城区{nm.numeral(k + 1)}号排涝泵站",
            xy,
            reach.water_body,
            dept[DepartmentKind.WATER],
        )
    for kind, count, label, owner in (
        (AssetKind.MANHOLE, 32, "号井盖", DepartmentKind.HOUSING),
        (AssetKind.GULLY, 26, "号雨水篦子", DepartmentKind.URBAN),
    ):
        for k in range(count if town_reaches else 0):
            plan, reach = rng.choice(town_reaches)
            xy = rv.beside(
                plan.shape, rng.uniform(0, plan.shape.length), rng.choice((1, -1)) * rng.uniform(0.05, 0.3)
            )
            if not seat.shape.contains(Point(xy)):
                continue
            add(kind, f"{rng.choice(nm.ROADS)}{k + 1}{label}", xy, reach.water_body, dept[owner])
    for surface in world.surfaces:
        if surface.kind in ("reservoir", "lake"):
            water = ctx.surfaces[surface.index]
            p = surface.shape.exterior.interpolate(0.25, normalized=True)
            add(AssetKind.CAMERA, f"{water.name}视频监控点", (p.x, p.y), water, dept[DepartmentKind.WATER])
            if surface.kind == "reservoir":
                river = world.rivers[surface.river]
                q = river.line.coords[0]
                add(AssetKind.SLUICE, f"{water.name}放水洞", (q[0], q[1]), water, dept[DepartmentKind.WATER])
    bulk.create(Asset, rows)


def _in_township(ctx: Ctx, plan, township: int) -> bool:
    if plan.level == "township":
        return plan.cell == township
    return ctx.world.villages[plan.cell].township == township


def _river_reach(ctx: Ctx, river_index: int, d: float):
    for plan, reach in ctx.reaches:
        if plan.water == ("river", river_index) and plan.start - 1e-6 <= d <= plan.end + 1e-6:
            return plan, reach
    return None, None


def _sections(ctx: Ctx, rng: random.Random) -> None:
    world = ctx.world
    rows: list[Section] = []

    def add(kind, name, river_index, d, target, upstream=None, water=None, xy=None):
        plan, reach = _river_reach(ctx, river_index, d) if river_index is not None else (None, None)
        if xy is None:
            p = world.rivers[river_index].line.interpolate(d)
            xy = (p.x, p.y)
        rows.append(
            Section(
                code=f"DM{ctx.county.path}{len(rows) + 1:03d}",
                name=name,
                kind=kind,
                water_body=water or ctx.rivers[river_index],
                reach=reach,
                region=_village(ctx, xy),
                upstream_region=upstream,
                target_class=target,
                geometry=_point(ctx, xy),
            )
        )

    by_river = ctx.extras["by_river"]
    for index in (0, 1):
        if index >= len(world.rivers) or world.rivers[index].level != 0:
            continue
        water = ctx.rivers[index]
        plans = by_river[index]
        if not plans:
            continue
        add(SectionKind.BOUNDARY, f"{water.name}入境断面", index, plans[0].start + 0.3, 3)
        for a, b in zip(plans, plans[1:], strict=False):
            ta, tb = _township_of(ctx, a), _township_of(ctx, b)
            if ta != tb:
                name = f"{water.name}{ctx.townships[ta].name}—{ctx.townships[tb].name}交接断面"
                add(SectionKind.BOUNDARY, name, index, a.end - 0.05, 3, upstream=ctx.townships[ta])
        last = plans[-1]
        if index == 0:
            add(SectionKind.BOUNDARY, f"{water.name}出境断面", index, last.end - 0.3, 3, upstream=ctx.county)
        else:
            add(SectionKind.MONITORING, f"{water.name}入{ctx.rivers[0].name}口断面", index, last.end - 0.2, 3)
        for plan in plans[1:-1:3]:
            add(
                SectionKind.MONITORING,
                f"{water.name}{ctx.region(plan).name}断面",
                index,
                (plan.start + plan.end) / 2,
                3,
            )
    for river in world.rivers:
        if river.level != 1 or river.kind != "river" or not by_river[river.index]:
            continue
        water = ctx.rivers[river.index]
        last = by_river[river.index][-1]
        target = 5 if water.name.endswith("排干") else 4
        if river.parent is None:
            add(
                SectionKind.BOUNDARY,
                f"{water.name}出境断面",
                river.index,
                last.end - 0.2,
                target,
                upstream=ctx.county,
            )
        else:
            parent = ctx.rivers[river.parent]
            add(
                SectionKind.MONITORING,
                f"{water.name}入{parent.name}口断面",
                river.index,
                last.end - 0.15,
                target,
            )
    for surface in world.surfaces:
        if surface.kind in ("lake", "reservoir"):
            water = ctx.surfaces[surface.index]
            p = surface.shape.representative_point()
            name = water.name + ("湖心断面" if surface.kind == "lake" else "坝前断面")
            add(
                SectionKind.MONITORING,
                name,
                None,
                0.0,
                2 if surface.kind == "reservoir" else 3,
                water=water,
                xy=(p.x, p.y),
            )
    bulk.create(Section, rows)


def _township_of(ctx: Ctx, plan) -> int:
    return plan.cell if plan.level == "township" else ctx.world.villages[plan.cell].township


def _outfalls(ctx: Ctx, rng: random.Random) -> None:
    world = ctx.world
    lines = [(p, r) for p, r in ctx.reaches if p.shape.geom_type == "LineString"]
    tree = shapely.STRtree([p.shape for p, _ in lines])
    ecology = ctx.extras["department_by_kind"][DepartmentKind.ECOLOGY]
    rows: list[Outfall] = []

    def add(kind, name, owner, plan, reach, d, approved):
        xy = rv.beside(plan.shape, d, rng.choice((1, -1)) * 0.015)
        rows.append(
            Outfall(
                code=f"PWK{ctx.county.path}{len(rows) + 1:04d}",
                name=name,
                kind=kind,
                water_body=reach.water_body,
                owner=owner,
                department=ecology,
                approved=approved,
                region=_village(ctx, xy),
                geometry=_point(ctx, xy),
            )
        )

    for t in world.townships:
        township = ctx.townships[t.index]
        plan, reach = lines[int(tree.query_nearest(Point(t.seat))[0])]
        d = plan.shape.project(Point(t.seat))
        owner = f"{ctx.county.name}第一污水处理厂" if t.is_seat else f"{township.name}污水处理厂"
        add(OutfallKind.MUNICIPAL, owner + "排口", owner, plan, reach, d, True)
    kinds = (
        [(OutfallKind.INDUSTRIAL, 0.75)] * 8
        + [(OutfallKind.RAIN, 0.6)] * 12
        + [(OutfallKind.MIXED, 0.0)] * 6
        + [(OutfallKind.AGRICULTURAL, 0.3)] * 8
        + [(OutfallKind.OTHER, 0.2)] * 3
    )
    for kind, approve in kinds:
        plan, reach = rng.choice(lines)
        d = rng.uniform(0.1, 0.9) * plan.shape.length
        p = plan.shape.interpolate(d)
        village = _village(ctx, (p.x, p.y))
        stem = nm.short_name(village.name)
        if kind == OutfallKind.INDUSTRIAL:
            owner = nm.company(rng, ctx.county.name)
            name = owner.removeprefix(ctx.county.name).removesuffix("有限公司") + "排污口"
        elif kind == OutfallKind.RAIN:
            owner, name = f"{village.parent.name}人民政府", f"{stem}雨水排口"
        elif kind == OutfallKind.MIXED:
            owner, name = f"{village.name}村民委员会", f"{stem}雨污混合排口"
        elif kind == OutfallKind.AGRICULTURAL:
            owner, name = f"{village.name}村民委员会", f"{stem}农田退水口"
        else:
            owner = f"{stem}{rng.choice(('生猪', '奶牛', '蛋鸡'))}养殖场"
            name = owner + "排口"
        add(kind, name, owner, plan, reach, d, rng.random() < approve)
    bulk.create(Outfall, rows)
