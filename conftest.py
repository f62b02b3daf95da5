"""Shared personas and a small world: one county with two townships, each with a river reach and its people."""

import datetime

import pytest


def box(west, south, east, north):
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


class World:
    """Named records and people reused by every test (alice works for township A, bob for township B)."""


@pytest.fixture
def world(db, django_user_model):
    from hezhang.registry import models as m

    w = World()
    w.province = m.Region.objects.create(code="130000000000", name="河北省", level=1)
    w.city = m.Region.objects.create(code="130500000000", name="清河市", level=2, parent=w.province)
    w.county = m.Region.objects.create(
        code="130523000000", name="临水县", level=3, parent=w.city, geometry=box(114.5, 37.0, 115.0, 37.4)
    )
    w.town_a = m.Region.objects.create(
        code="130523100000", name="东坝镇", level=4, parent=w.county, geometry=box(114.5, 37.0, 114.75, 37.4)
    )
    w.town_b = m.Region.objects.create(
        code="130523200000", name="西河乡", level=4, parent=w.county, geometry=box(114.75, 37.0, 115.0, 37.4)
    )
    w.village_a = m.Region.objects.create(
        code="130523100001", name="柳庄村", level=5, parent=w.town_a, geometry=box(114.5, 37.0, 114.75, 37.2)
    )
    w.village_b = m.Region.objects.create(
        code="130523200001", name="河湾村", level=5, parent=w.town_b, geometry=box(114.75, 37.0, 115.0, 37.2)
    )
    w.river = m.WaterBody.objects.create(
        kind="river",
        name="清水河",
        code="ABA10000000L",
        region=w.county,
        geometry=line((114.55, 37.1), (114.7, 37.15), (114.9, 37.2)),
    )
    w.river.regions.set([w.county, w.town_a, w.town_b])
    w.pond_b = m.WaterBody.objects.create(
        kind="pond",
        name="西河塘",
        code="PND130523200001",
        region=w.town_b,
        geometry=box(114.8, 37.3, 114.81, 37.31),
    )
    w.reach_a = m.Reach.objects.create(
        water_body=w.river,
        region=w.town_a,
        name="清水河东坝段",
        code="ABA10000000L-001",
        geometry=line((114.55, 37.1), (114.7, 37.15)),
    )
    w.reach_b = m.Reach.objects.create(
        water_body=w.river,
        region=w.town_b,
        name="清水河西河段",
        code="ABA10000000L-002",
        geometry=line((114.76, 37.16), (114.9, 37.2)),
    )
    w.office_county = m.Office.objects.create(region=w.county, name="临水县河长办", phone="0319-5550100")
    w.office_a = m.Office.objects.create(region=w.town_a, name="东坝镇河长办", phone="0319-5550111")
    w.office_b = m.Office.objects.create(region=w.town_b, name="西河乡河长办", phone="0319-5550122")
    w.dept_a = m.Department.objects.create(region=w.town_a, name="东坝镇农业办", kind="agriculture")
    w.dept_b = m.Department.objects.create(region=w.town_b, name="西河乡城建办", kind="urban")
    w.grid_b = m.Grid.objects.create(
        region=w.village_b, code="G-B-1", name="西河一网格", geometry=box(114.8, 37.0, 114.9, 37.1)
    )
    point_b = {"type": "Point", "coordinates": [114.85, 37.18]}
    w.signboard_b = m.Signboard.objects.create(
        code="SB-B-1", name="西河段公示牌", reach=w.reach_b, region=w.town_b, geometry=point_b
    )
    w.asset_b = m.Asset.objects.create(
        code="AS-B-1", name="西河闸", kind="sluice", region=w.town_b, geometry=point_b
    )
    w.section_b = m.Section.objects.create(
        code="SEC-B-1", name="西河断面", water_body=w.river, region=w.town_b, geometry=point_b, target_class=3
    )
    w.outfall_b = m.Outfall.objects.create(
        code="OUT-B-1", name="西河排口", water_body=w.river, region=w.town_b, geometry=point_b
    )
    w.dossier = m.Dossier.objects.create(water_body=w.river, source="柳庄村北", mouth="出县境")
    w.plan_pond = m.RiverPlan.objects.create(
        water_body=w.pond_b, title="西河塘一河一策", start_year=2024, end_year=2030, goals="水清岸绿"
    )
    w.task_pond = m.PlanTask.objects.create(plan=w.plan_pond, title="清淤", department=w.dept_b)

    def person(username, role, region, **extra):
        return django_user_model.objects.create_user(
            username=username, password="s3cret-pass-123", role=role, region=region, **extra
        )

    w.admin = person("root", "admin", None, is_superuser=True, is_staff=True)
    w.county_office = person("carol", "office", w.county, name="县办张")
    w.alice = person("alice", "office", w.town_a, name="东坝李")
    w.bob = person("bob", "office", w.town_b, name="西河王")
    w.chief_a = person(
        "chief_a", "chief", w.town_a, name="赵镇长", chief_level=4, position="镇长", phone="13900000001"
    )
    w.chief_b = person(
        "chief_b", "chief", w.town_b, name="钱乡长", chief_level=4, position="乡长", phone="13900000002"
    )
    w.county_chief = person(
        "county_chief",
        "chief",
        w.county,
        name="孙书记",
        chief_level=3,
        position="县委书记",
        phone="13900000003",
    )
    w.assignment_a = m.ChiefAssignment.objects.create(
        chief=w.chief_a, water_body=w.river, reach=w.reach_a, region=w.town_a, level=4
    )
    w.assignment_b = m.ChiefAssignment.objects.create(
        chief=w.chief_b, water_body=w.river, reach=w.reach_b, region=w.town_b, level=4
    )
    w.assignment_county = m.ChiefAssignment.objects.create(
        chief=w.county_chief, water_body=w.river, region=w.county, level=3
    )
    w.past_assignment_b = m.ChiefAssignment.objects.create(
        chief=w.chief_a,
        water_body=w.river,
        reach=w.reach_b,
        region=w.town_b,
        level=4,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    return w


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many users and never check its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    # Rate limits live in the cache; one test's reports must not count against the next test's, and a test run
    # must not share the on-disk cache of a demo (or another test run) on the same machine.
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    # A request in English leaves English active in this thread (LocaleMiddleware does not switch back), and
    # code called outside a request afterwards would then speak English; each test starts in Chinese.
    from django.utils import translation

    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def close_read_workers():
    # Reads done at once (parallel.py) keep a connection in each worker thread; closed after each test, so that
    # the test database can be flushed and dropped.
    from hezhang import parallel

    yield
    parallel.close()
