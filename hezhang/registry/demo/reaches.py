"""The demo county's reaches: names, codes, and where each starts and ends ("自X村桥起，至Y村闸止")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hezhang.registry.demo import bulk
from hezhang.registry.demo import names as nm
from hezhang.registry.demo.county import Ctx, bearing
from hezhang.registry.demo.rivers import River
from hezhang.registry.demo.world import ReachPlan
from hezhang.registry.models import Reach, WaterBody


@dataclass
class Landmark:
    """A named point where one reach ends and the next begins: a bridge, a sluice or a village border."""

    kind: str  # border | bridge | sluice
    text: str
    xy: tuple[float, float]
    river: int
    village: int | None


def _landmark(ctx: Ctx, river: River, d: float, cache: dict) -> Landmark:
    key = (river.index, round(d, 4))
    if key in cache:
        return cache[key]
    world, rng = ctx.world, ctx.rng
    up = river.line.interpolate(max(0.0, d - 0.05))
    down = river.line.interpolate(min(river.line.length, d + 0.05))
    here = river.line.interpolate(d)
    a = world.village_at(up.x, up.y)
    b = world.village_at(down.x, down.y)
    roll = rng.random()
    townships = world.township_at(up.x, up.y), world.township_at(down.x, down.y)
    if river.index == 0 and None not in townships and townships[0] != townships[1] and roll < 0.6:
        kind, text = "border", f"{ctx.townships[townships[0]].name}与{ctx.townships[townships[1]].name}交界处"
    elif a is not None and b is not None and a != b and roll < 0.45:
        kind, text = "border", f"{ctx.villages[a].name}与{ctx.villages[b].name}交界处"
    else:
        owner = b if b is not None else a
        stem = nm.short_name(ctx.villages[owner].name)
        if stem.endswith("社区"):
            stem = rng.choice(nm.ROADS)
        kind = "bridge" if roll < 0.85 else "sluice"
        text = stem + ("桥" if kind == "bridge" else "闸")
    mark = Landmark(kind, text, (here.x, here.y), river.index, b if b is not None else a)
    cache[key] = mark
    ctx.landmarks.append(mark)
    return mark


def _describe(ctx: Ctx, river: River, plans: list[ReachPlan], k: int, cache: dict) -> tuple[str, str]:
    world = ctx.world
    plan = plans[k]
    line = river.line
    first = line.interpolate(min(plan.start + 0.03, plan.end))
    last = line.interpolate(max(plan.end - 0.03, plan.start))
    v_first = world.village_at(first.x, first.y)
    v_last = world.village_at(last.x, last.y)
    name_first = ctx.villages[v_first].name
    name_last = ctx.villages[v_last].name
    seat_first = world.villages[v_first].seat
    seat_last = world.villages[v_last].seat
    if k > 0 and abs(plans[k - 1].end - plan.start) < 1e-6:
        start = f"自{_landmark(ctx, river, plan.start, cache).text}起"
    elif plan.start < 1e-6:
        reservoir = next((s for s in world.surfaces if s.river == river.index), None)
        if reservoir is not None:
            start = f"自{ctx.surfaces[reservoir.index].name}坝下起"
        elif river.kind == "canal" and river.parent is None:
            start = f"自{ctx.rivers[0].name}{nm.short_name(name_first)}引水闸起"
        elif river.kind == "canal":
            start = f"自{ctx.rivers[river.parent].name}{nm.short_name(name_first)}分水闸起"
        else:
            start = f"自{name_first}{bearing(seat_first, (first.x, first.y))}源头起"
    else:
        start = f"自{name_first}{bearing(seat_first, (first.x, first.y))}入县境处起"
    if k + 1 < len(plans) and abs(plans[k + 1].start - plan.end) < 1e-6:
        end = f"至{_landmark(ctx, river, plan.end, cache).text}止"
    elif plan.end >= line.length - 1e-6 and river.parent is not None and river.kind == "river":
        end = f"至{name_last}{bearing(seat_last, (last.x, last.y))}汇入{ctx.rivers[river.parent].name}处止"
    elif plan.end >= line.length - 1e-6:
        end = f"至{name_last}{bearing(seat_last, (last.x, last.y))}渠尾止"
    else:
        end = f"至{name_last}{bearing(seat_last, (last.x, last.y))}出县境处止"
    return start, end


def reaches(ctx: Ctx) -> None:
    world = ctx.world
    rows: list[Reach] = []
    plans_out: list[ReachPlan] = []
    cache: dict = {}
    for river in world.rivers:
        plans = ctx.extras["by_river"][river.index]
        water = ctx.rivers[river.index]
        names = _numbered_names(ctx, water, plans)
        for k, plan in enumerate(plans):
            start, end = _describe(ctx, river, plans, k, cache)
            rows.append(
                Reach(
                    water_body=water,
                    region=ctx.region(plan),
                    name=names[k],
                    code=f"{water.code}-{k + 1:03d}",
                    start_description=start,
                    end_description=end,
                    geometry=world.frame.geojson(plan.shape),
                )
            )
            plans_out.append(plan)
    for surface in world.surfaces:
        plans = ctx.extras["by_surface"][surface.index]
        water = ctx.surfaces[surface.index]
        names = _numbered_names(ctx, water, plans, "水域")
        for k, plan in enumerate(plans):
            village = ctx.villages[plan.cell]
            rows.append(
                Reach(
                    water_body=water,
                    region=village,
                    name=names[k] if len(plans) > 1 or surface.kind in ("lake", "reservoir") else water.name,
                    code=f"{water.code}-{k + 1:03d}",
                    start_description=f"{village.name}境内水域",
                    end_description="",
                    geometry=world.frame.geojson(plan.shape),
                )
            )
            plans_out.append(plan)
    bulk.create(Reach, rows)
    ctx.reaches = list(zip(plans_out, rows, strict=True))


def _numbered_names(ctx: Ctx, water: WaterBody, plans: list[ReachPlan], suffix: str = "段") -> list[str]:
    regions = [ctx.region(p).name for p in plans]
    total = defaultdict(int)
    for r in regions:
        total[r] += 1
    seen: dict[str, int] = defaultdict(int)
    out = []
    for r in regions:
        seen[r] += 1
        extra = f"（{nm.numeral(seen[r])}）" if total[r] > 1 else ""
        out.append(f"{water.name}{r}{suffix}{extra}")
    return out
