"""The workflow's states and the default problem categories, as rows that offices can extend."""

from django.db import migrations

STATES = [
    # code, label, open, fixed
    ("reported", "待受理", True, False),
    ("accepted", "已受理", True, False),
    ("assigned", "已交办", True, False),
    ("in_progress", "处置中", True, False),
    ("long_term", "挂账督办", True, False),
    ("completed", "已办结待核查", True, False),
    ("verified", "核查通过", True, True),
    ("closed", "已结案", False, True),
    ("rejected", "不予受理", False, False),
    ("merged", "已合并", False, False),
]

CATEGORIES = [
    # code, name, group, department kind, days, urgent days
    ("encroachment", "乱占（侵占河道、岸线）", "清四乱", "water", 15, 5),
    ("illegal_extraction", "乱采（非法采砂、取土）", "清四乱", "natural_resources", 7, 2),
    ("dumping", "乱堆（堆放垃圾、渣土、物料）", "清四乱", "urban", 7, 2),
    ("illegal_building", "乱建（违法建设）", "清四乱", "housing", 15, 5),
    ("water_pollution", "水体污染", "水环境", "ecology", 5, 1),
    ("floating_garbage", "水面漂浮物", "水环境", "urban", 3, 1),
    ("black_odorous", "黑臭水体", "水环境", "ecology", 15, 5),
    ("outfall_direct", "排污口直排", "排污口", "ecology", 5, 1),
    ("outfall_dry_weather", "排口晴天排水", "排污口", "ecology", 5, 2),
    ("outfall_abnormal", "排口出水异常", "排污口", "ecology", 3, 1),
    ("outfall_new", "新设排污口", "排污口", "ecology", 10, 3),
    ("bank_garbage", "岸坡垃圾", "河岸", "urban", 3, 1),
    ("illegal_fishing", "非法捕捞（电鱼、网箱）", "河岸", "agriculture", 3, 1),
    ("sand_mining", "非法采砂", "清四乱", "natural_resources", 3, 1),
    ("damaged_facility", "设施损坏（护栏、闸站、井盖）", "设施", "water", 7, 2),
    ("signboard", "公示牌问题（损坏、信息过期）", "设施", "water", 10, 3),
    ("other", "其他问题", "其他", "", 7, 2),
]


def seed(apps, schema_editor):
    CaseState = apps.get_model("cases", "CaseState")
    CaseCategory = apps.get_model("cases", "CaseCategory")
    for order, (code, label, is_open, fixed) in enumerate(STATES):
        CaseState.objects.update_or_create(
            code=code, defaults={"label": label, "is_open": is_open, "is_fixed": fixed, "order": order}
        )
    for order, (code, name, group, kind, days, urgent) in enumerate(CATEGORIES):
        CaseCategory.objects.update_or_create(
            region=None,
            code=code,
            defaults={
                "name": name,
                "group": group,
                "department_kind": kind,
                "deadline_days": days,
                "urgent_deadline_days": urgent,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
