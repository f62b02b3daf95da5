"""Default alert rules for the whole platform; offices change them or add their own for their region."""

from django.db import migrations

RULES = [
    # name, kind, parameter, threshold, hours, opens_case
    ("水质劣于目标", "class", "", None, None, False),
    ("氨氮超过V类标准", "limit", "NH3N", 2.0, None, True),
    ("总磷超过V类标准", "limit", "TP", 0.4, None, True),
    ("溶解氧低于V类标准", "limit", "DO", 2.0, None, True),
    ("氨氮突变（4小时内变化超过1 mg/L）", "jump", "NH3N", 1.0, 4, False),
    ("自动站6小时无数据", "missing", "", None, 6, False),
    ("超警戒水位", "water_level", "", None, None, True),
    ("小时雨量超过预警值", "rainfall", "", None, None, False),
    ("交接断面连续3个月未达标", "boundary", "", None, None, False),
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("monitoring", "AlertRule")
    for name, kind, parameter, threshold, hours, opens_case in RULES:
        AlertRule.objects.get_or_create(
            name=name,
            region=None,
            defaults={
                "kind": kind,
                "parameter": parameter,
                "threshold": threshold,
                "hours": hours,
                "opens_case": opens_case,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
