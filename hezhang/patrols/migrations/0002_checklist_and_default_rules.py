from django.db import migrations

# code, label, English, water body kinds (empty = all), case category
CHECKLIST = [
    ("floating_debris", "水面有漂浮物", "Floating debris on the water", [], "floating_garbage"),
    ("oil", "水面有油污", "Oil on the water", [], "water_pollution"),
    ("dead_fish", "有死鱼", "Dead fish", [], "water_pollution"),
    ("odour_colour", "水体发黑发臭、颜色异常", "Black, smelly or discoloured water", [], "black_odorous"),
    ("bank_garbage", "岸坡有垃圾", "Garbage on the banks", [], "bank_garbage"),
    ("illegal_building", "有违法建设", "Illegal building", [], "illegal_building"),
    ("encroachment", "侵占河道、岸线", "Encroachment on the channel or banks", [], "encroachment"),
    ("sand_mining", "有非法采砂、取土", "Illegal sand mining or digging", ["river", "lake", "reservoir"], "sand_mining"),
    ("illegal_fishing", "有电鱼、网箱等非法捕捞", "Illegal fishing (electric fishing, net cages)", [], "illegal_fishing"),
    ("outfall_dry_weather", "排污口晴天排水", "An outfall discharging in dry weather", [], "outfall_dry_weather"),
    ("new_outfall", "发现新设排污口", "A new outfall", [], "outfall_new"),
    ("facility", "护栏、闸站等设施损坏", "Damaged railings, sluices or other facilities", [], "damaged_facility"),
    ("signboard", "公示牌损坏或信息过期", "Signboard damaged or out of date", [], "signboard"),
]

# Defaults for the whole platform, after the common shape of provincial and county rules (e.g. "村级河长每周
# 巡河不少于1次，乡级每旬不少于1次，县级每季度不少于1次"; a valid patrol lasts 10–30 minutes and covers
# 300 m–2 km). Offices override them per region.
# role, level, period, times, minutes, metres, coverage %
RULES = [
    ("chief", 1, "year", 2, 10, 300, 10),
    ("chief", 2, "quarter", 1, 10, 300, 10),
    ("chief", 3, "quarter", 1, 10, 300, 20),
    ("chief", 4, "ten_days", 1, 20, 1000, 30),
    ("chief", 5, "week", 1, 20, 1000, 30),
    ("grid", None, "week", 2, 20, 1000, 30),
    ("delegate", None, "month", 1, 10, 300, 10),
]


def load(apps, schema_editor):
    Item = apps.get_model("patrols", "ChecklistItem")
    Category = apps.get_model("cases", "CaseCategory")
    Rule = apps.get_model("patrols", "PatrolRule")
    for order, (code, label, english, kinds, category) in enumerate(CHECKLIST):
        Item.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": english,
                "water_body_kinds": kinds,
                "category": Category.objects.filter(region=None, code=category).first(),
                "order": order,
            },
        )
    for role, level, period, times, minutes, metres, coverage in RULES:
        Rule.objects.get_or_create(
            region=None,
            role=role,
            chief_level=level,
            defaults={
                "period": period,
                "times": times,
                "min_duration_min": minutes,
                "min_distance_m": metres,
                "min_coverage_pct": coverage,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_initial"), ("cases", "0002_states_and_categories")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
