"""How much demo data there is, for the command's report and for tests."""

from __future__ import annotations

from django.db.models import Count

from hezhang.accounts.models import Role, User
from hezhang.registry.models import (
    Asset,
    ChiefAssignment,
    DelegateLink,
    Department,
    Dossier,
    Grid,
    Office,
    Outfall,
    PlanTask,
    Reach,
    Region,
    RiverPlan,
    Section,
    Signboard,
    WaterBody,
)

# key, Chinese label, English label
LABELS = (
    ("provinces", "省", "provinces"),
    ("cities", "市", "cities"),
    ("counties", "县", "counties"),
    ("townships", "乡镇", "townships"),
    ("villages", "村（社区）", "villages"),
    ("grids", "网格", "grids"),
    ("rivers", "河流", "rivers"),
    ("canals", "渠道", "canals"),
    ("lakes", "湖泊", "lakes"),
    ("reservoirs", "水库", "reservoirs"),
    ("ponds", "塘坝", "ponds"),
    ("small", "小微水体", "small water bodies"),
    ("reaches", "河段", "reaches"),
    ("users", "用户", "users"),
    ("chiefs", "河湖长", "chiefs"),
    ("assignments", "河长任命", "chief assignments"),
    ("past_assignments", "其中已离任", "of which past"),
    ("delegate_links", "代表联系河湖", "delegates' links"),
    ("offices", "河长办", "offices"),
    ("departments", "职能部门", "departments"),
    ("dossiers", "一河一档", "dossiers"),
    ("plans", "一河一策", "river plans"),
    ("plan_tasks", "一河一策任务", "plan tasks"),
    ("signboards", "公示牌", "signboards"),
    ("assets", "部件", "assets"),
    ("sections", "断面", "sections"),
    ("outfalls", "排污口", "outfalls"),
)


def counts() -> dict[str, int]:
    levels = dict(Region.objects.values_list("level").annotate(n=Count("id")))
    kinds = dict(WaterBody.objects.values_list("kind").annotate(n=Count("id")))
    return {
        "provinces": levels.get(1, 0),
        "cities": levels.get(2, 0),
        "counties": levels.get(3, 0),
        "townships": levels.get(4, 0),
        "villages": levels.get(5, 0),
        "grids": Grid.objects.count(),
        "rivers": kinds.get("river", 0),
        "canals": kinds.get("canal", 0),
        "lakes": kinds.get("lake", 0),
        "reservoirs": kinds.get("reservoir", 0),
        "ponds": kinds.get("pond", 0),
        "small": kinds.get("small", 0),
        "reaches": Reach.objects.count(),
        "users": User.objects.count(),
        "chiefs": User.objects.filter(role=Role.CHIEF).count(),
        "assignments": ChiefAssignment.objects.count(),
        "past_assignments": ChiefAssignment.objects.past().count(),
        "delegate_links": DelegateLink.objects.count(),
        "offices": Office.objects.count(),
        "departments": Department.objects.count(),
        "dossiers": Dossier.objects.count(),
        "plans": RiverPlan.objects.count(),
        "plan_tasks": PlanTask.objects.count(),
        "signboards": Signboard.objects.count(),
        "assets": Asset.objects.count(),
        "sections": Section.objects.count(),
        "outfalls": Outfall.objects.count(),
    }
