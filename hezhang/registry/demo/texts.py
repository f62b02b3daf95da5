"""The demo county's documents: one river one dossier (一河一档), one river one plan (一河一策), and a little history."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.db import transaction

from hezhang.accounts.models import User
from hezhang.history.context import acting_as
from hezhang.registry.demo import bulk
from hezhang.registry.models import (
    DepartmentKind,
    Dossier,
    PlanTask,
    RiverPlan,
    TaskStatus,
    WaterBody,
    WaterBodyKind,
)

if TYPE_CHECKING:
    from hezhang.registry.demo.county import Ctx

D = datetime.date

PROBLEMS = (
    "部分河段岸坡存在生活垃圾、建筑垃圾堆放现象",
    "沿河个别村庄生活污水未经处理直排入河",
    "部分入河排污口尚未完成规范化整治，监测设施不完善",
    "河道淤积较重，局部河段行洪能力不足",
    "个别河段岸坡坍塌，堤防存在险工险段",
    "汛期农田退水携带化肥农药入河，面源污染突出",
    "河湖管理范围内存在违章种植、私搭乱建等“四乱”问题",
    "枯水期生态流量不足，局部河段断流",
    "沿河畜禽养殖粪污处理设施不完善",
)
TASKS = (
    ("开展河道垃圾和岸坡杂物集中清理", DepartmentKind.URBAN),
    ("排查整治入河排污口，建立排污口台账", DepartmentKind.ECOLOGY),
    ("实施河道清淤疏浚工程", DepartmentKind.WATER),
    ("加固险工险段堤防，修复坍塌岸坡", DepartmentKind.WATER),
    ("推进沿河村庄生活污水收集处理", DepartmentKind.HOUSING),
    ("规范沿河畜禽养殖粪污资源化利用", DepartmentKind.AGRICULTURE),
    ("划定河湖管理范围并埋设界桩", DepartmentKind.NATURAL_RESOURCES),
    ("严厉打击非法采砂、电鱼等违法行为", DepartmentKind.POLICE),
    ("更新河长公示牌，公布监督电话", DepartmentKind.WATER),
    ("建设重点河段视频监控点", DepartmentKind.WATER),
    ("开展水质月度监测并按季度通报", DepartmentKind.ECOLOGY),
    ("清理整治河湖“四乱”问题", DepartmentKind.WATER),
    ("建设生态护岸和滨水绿道", DepartmentKind.HOUSING),
)


def _documented(ctx: Ctx) -> list[tuple[WaterBody, object]]:
    """The main waters: majors, first-level rivers, the trunk canal, lakes and reservoirs."""
    out = []
    for river in ctx.world.rivers:
        if river.level <= 1:
            out.append((ctx.rivers[river.index], river))
    for surface in ctx.world.surfaces:
        if surface.kind in ("lake", "reservoir"):
            out.append((ctx.surfaces[surface.index], surface))
    return out


def write(ctx: Ctx) -> None:
    rng = random.Random(ctx.seed * 13 + 11)
    dossiers, plans, tasks = [], [], []
    departments = ctx.extras["department_by_kind"]
    for water, thing in _documented(ctx):
        reaches = [r for p, r in ctx.reaches if r.water_body_id == water.pk]
        regions = sorted({r.region.parent.name if r.region.level == 5 else r.region.name for r in reaches})
        dossiers.append(_dossier(ctx, rng, water, thing, reaches, regions))
        word = "一河一策" if water.kind in (WaterBodyKind.RIVER, WaterBodyKind.CANAL) else "一湖一策"
        periods = [(2024, 2026)]
        if thing.__class__.__name__ == "River" and thing.level == 0 or water.kind == WaterBodyKind.RESERVOIR:
            periods.append((2021, 2023))
        elif rng.random() < 0.6:
            periods.append((2021, 2023))
        for start, end in periods:
            chosen = rng.sample(PROBLEMS, 4)
            plan = RiverPlan(
                water_body=water,
                title=f"{water.name}“{word}”实施方案（{start}—{end}年）",
                start_year=start,
                end_year=end,
                problems="\n".join(f"{k}. {p}。" for k, p in enumerate(chosen, 1)),
                goals=_goals(water, start, end),
            )
            plans.append(plan)
            for k, (title, kind) in enumerate(rng.sample(TASKS, rng.randint(5, 8))):
                month, day = rng.choice(((6, 30), (9, 30), (12, 31)))
                deadline = D(start + k * (end - start + 1) // 8, month, day)
                if end < 2024:
                    status = TaskStatus.DONE if rng.random() < 0.85 else TaskStatus.DELAYED
                elif deadline.year < 2026:
                    status = TaskStatus.DONE if rng.random() < 0.7 else TaskStatus.DELAYED
                else:
                    status = rng.choice((TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS, TaskStatus.PLANNED))
                tasks.append(
                    PlanTask(
                        plan=plan,
                        title=title,
                        department=departments.get(kind),
                        responsible_unit="" if kind in departments else "相关乡镇人民政府",
                        deadline=deadline,
                        status=status,
                    )
                )
    Dossier.objects.bulk_create(dossiers)
    RiverPlan.objects.bulk_create(plans)
    bulk.create(PlanTask, tasks)
    _describe_waters(ctx)


def _goals(water: WaterBody, start: int, end: int) -> str:
    target = "Ⅲ" if water.kind != WaterBodyKind.RESERVOIR else "Ⅱ"
    return "\n".join(
        (
            f"1. 到{end}年底，{water.name}水质稳定达到{target}类标准，消除劣Ⅴ类水体。",
            "2. 入河排污口全部完成排查、监测、溯源、整治，规范化管理率达到100%。",
            "3. 河湖“四乱”问题动态清零，河湖管理范围划界成果全部公告。",
            f"4. {start}—{end}年每年汛前完成堤防隐患排查，重点河段防洪标准达到设计要求。",
        )
    )


def _dossier(
    ctx: Ctx, rng: random.Random, water: WaterBody, thing, reaches: list, regions: list[str]
) -> Dossier:
    county = ctx.county.name
    length_km = sum((r.length_m or 0) for r in reaches) / 1000
    area_km2 = sum((r.area_m2 or 0) for r in reaches) / 1e6
    kind = water.kind
    if kind == WaterBodyKind.RESERVOIR:
        source, mouth = f"拦蓄{county}境内山前来水", "经放水洞泄入下游河道"
        functions, flood = "防洪、灌溉、供水", "设计100年一遇，校核1000年一遇"
        zone = f"{water.name}饮用水源保护区"
    elif kind == WaterBodyKind.LAKE:
        source, mouth = "汇集周边沟渠来水及降水", "经节制闸排入邻近河道"
        functions, flood = "调蓄、生态、景观", "20年一遇"
        zone = f"{water.name}{county}景观娱乐用水区"
    elif kind == WaterBodyKind.CANAL:
        source, mouth = f"自{ctx.rivers[0].name}引水", f"{county}南部灌区"
        functions, flood = "灌溉、排涝", "10年一遇"
        zone = f"{water.name}{county}农业用水区"
    else:
        first = reaches[0].start_description.removeprefix("自").removesuffix("起") if reaches else ""
        last = reaches[-1].end_description.removeprefix("至").removesuffix("止") if reaches else ""
        source = f"{county}{first}" if "入县境" not in first else f"{county}境外上游，{first}"
        mouth = f"{county}{last}"
        functions = "防洪、排涝、灌溉、生态景观" if thing.level == 0 else "排涝、灌溉"
        flood = "20年一遇" if thing.level == 0 else "10年一遇"
        zone = f"{water.name}{county}农业用水区"
    size = f"县内河道长约 {length_km:.1f} 公里" if length_km else f"水面面积约 {area_km2:.2f} 平方公里"
    facts = "\n".join(
        (
            f"{water.name}位于{county}境内，流经{'、'.join(regions)}，{size}，共划分 {len(reaches)} 个河段。",
            f"沿岸涉及 {len({r.region_id for r in reaches})} 个行政区，主要功能为{functions}。",
            "河道管理范围已于2020年完成划定并公告，岸线利用以农田和村庄为主。",
            "近年来通过清四乱、清淤疏浚和排污口整治，水环境质量持续改善。",
        )
    )
    return Dossier(
        water_body=water,
        source=source[:200],
        mouth=mouth[:200],
        functions=functions,
        flood_standard=flood,
        water_function_zone=zone[:200],
        population=len(reaches) * rng.randrange(1500, 3800),
        facts=facts,
    )


def _describe_waters(ctx: Ctx) -> None:
    """A one-paragraph description for every water body (the lists and public pages show it)."""
    rows = list(ctx.rivers.values()) + list(ctx.surfaces.values())
    counts: dict[int, int] = {}
    for _plan, reach in ctx.reaches:
        counts[reach.water_body_id] = counts.get(reach.water_body_id, 0) + 1
    for water in rows:
        kind = water.get_kind_display()
        if water.kind in (WaterBodyKind.RIVER, WaterBodyKind.CANAL):
            size = f"全长约 {water.length_km:.1f} 公里"
        else:
            size = f"水面面积约 {water.area_km2:.2f} 平方公里"
        parent = f"，汇入{water.parent.name}" if water.parent_id else ""
        where = "流经" if water.region_id in (ctx.city.pk, ctx.province.pk) else "境内"
        here = f"{ctx.county.name}{where}" if where == "境内" else f"{where}{ctx.county.name}"
        count = counts.get(water.pk, 0)
        water.description = f"{water.name}是{here}的{kind}，{size}{parent}，县内划分 {count} 个河段。"
    WaterBody.objects.bulk_update(rows, ["description"], batch_size=bulk.BATCH)


def record_story() -> None:
    """A few edits made through the recorded path, so history pages show who changed what."""
    from hezhang.registry.demo.county import BASIN

    office = User.objects.filter(username="county_office").first()
    main = WaterBody.objects.filter(code=f"{BASIN}0001000").first()
    if office is None or main is None:
        return
    with transaction.atomic(), acting_as(office, "web"):
        main.description += "2024年汛后完成县城段清淤疏浚，行洪能力恢复至设计标准。"
        main.save()
        dossier = Dossier.objects.filter(water_body=main).first()
        if dossier is not None:
            dossier.flood_standard = "20年一遇（2024年复核）"
            dossier.save()
        task = PlanTask.objects.filter(plan__water_body=main, status=TaskStatus.IN_PROGRESS).first()
        if task is not None:
            task.status = TaskStatus.DONE
            task.save()
