"""The routing cache answers exactly as the database lookups do, and sees changes to the registry."""

import datetime
import random

import pytest
from django.utils import timezone

from hezhang.cases import routing, routing_cache
from hezhang.cases.models import CaseCategory
from hezhang.cases.routing import route, route_uncached
from hezhang.registry import models as m

RADIUS_DEG = 0.006  # a little more than the 500 m search radius


@pytest.fixture(autouse=True)
def check_every_call(settings):
    settings.HEZHANG_ROUTING_CACHE_SECONDS = 0


def box(west, south, east, north):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def key(routing):
    """Everything a routing decides, by primary key."""
    if routing is None:
        return None

    def pk(obj):
        return None if obj is None else obj.pk

    return (
        pk(routing.region),
        pk(routing.office),
        pk(routing.reach),
        pk(routing.water_body),
        pk(routing.grid),
        [c.pk for c in routing.chiefs],
        pk(routing.department),
        routing.outside,
        routing.distance_m,
        routing.note,
    )


def cached_only(monkeypatch):
    """Make route() fail rather than quietly fall back to the database."""

    def refuse(*args, **kwargs):
        raise AssertionError("route() fell back to the database")

    monkeypatch.setattr(routing, "route_uncached", refuse)
    return monkeypatch.undo


@pytest.fixture
def lake_and_more(world):
    """Beyond the shared world: a lake in two zones, a village reach and chief, an owned asset, departments."""
    lake = m.WaterBody.objects.create(
        kind="lake", name="镜湖", code="LK-1", region=world.county, geometry=box(114.6, 37.25, 114.7, 37.32)
    )
    west = m.Reach.objects.create(
        water_body=lake,
        region=world.town_a,
        name="镜湖西区",
        code="LK-1-W",
        geometry=box(114.6, 37.25, 114.65, 37.32),
    )
    m.Reach.objects.create(
        water_body=lake,
        region=world.town_a,
        name="镜湖东区",
        code="LK-1-E",
        geometry=box(114.65, 37.25, 114.7, 37.32),
    )
    tributary = m.Reach.objects.create(
        water_body=world.river,
        region=world.village_b,
        name="清水河河湾村段",
        code="ABA10000000L-003",
        geometry={
            "type": "MultiLineString",
            "coordinates": [
                [[114.8, 37.05], [114.82, 37.08], [114.85, 37.12]],
                [[114.85, 37.12], [114.87, 37.16]],
            ],
        },
    )
    village_chief = world.chief_b.__class__.objects.create_user(
        username="village_chief",
        password="s3cret-pass-123",
        role="chief",
        region=world.village_b,
        chief_level=5,
    )
    m.ChiefAssignment.objects.create(
        chief=village_chief, water_body=world.river, reach=tributary, region=world.village_b, level=5
    )
    m.ChiefAssignment.objects.create(chief=world.chief_a, water_body=lake, region=world.town_a, level=4)
    m.Asset.objects.create(
        code="MH-9",
        name="9号井盖",
        kind="manhole",
        region=world.town_b,
        department=world.dept_b,
        geometry={"type": "Point", "coordinates": [114.86, 37.13]},
    )
    m.Department.objects.create(region=world.county, name="临水县水利局", kind="water")
    m.Department.objects.create(region=world.town_a, name="东坝镇水利站", kind="water")
    m.Grid.objects.create(
        region=world.village_a, code="G-A-1", name="柳庄一网格", geometry=box(114.5, 37.0, 114.6, 37.1)
    )
    return west


def sample_points(rng, n):
    reaches = [r.geometry for r in m.Reach.objects.all()]
    vertices = []
    for geometry in reaches:
        coords = geometry["coordinates"]
        while isinstance(coords[0][0], list):
            coords = [p for part in coords for p in part]
        vertices += coords
    points = []
    for i in range(n):
        if i % 2:
            x, y = rng.choice(vertices)
            x, y = x + rng.uniform(-RADIUS_DEG, RADIUS_DEG), y + rng.uniform(-RADIUS_DEG, RADIUS_DEG)
        else:
            x, y = rng.uniform(114.4, 115.1), rng.uniform(36.9, 37.5)
        points.append((x, y))
    return points + [(114.86, 37.1301), (114.805, 37.305), (114.62, 37.3), (114.65, 37.3), (100.0, 30.0)]


def test_the_cache_answers_as_the_database_on_many_random_points(world, lake_and_more, monkeypatch):
    categories = [None, *CaseCategory.objects.filter(region=None)]
    rng = random.Random(20240601)
    points = sample_points(rng, 600)
    expected = [key(route_uncached(x, y, categories[i % len(categories)])) for i, (x, y) in enumerate(points)]
    cached_only(monkeypatch)
    got = [key(route(x, y, categories[i % len(categories)])) for i, (x, y) in enumerate(points)]
    assert got == expected
    # The sample reaches every branch.
    assert {k[2] for k in got} >= set(m.Reach.objects.values_list("pk", flat=True))
    assert any(k[3] == world.pond_b.pk and k[2] is None for k in got)
    assert any(k[4] is not None for k in got) and any(k[7] for k in got)
    assert any("9号井盖" in k[9] for k in got) and any("按问题类别" in k[9] for k in got)


def test_a_call_served_from_the_cache_costs_one_query_and_gives_fresh_instances(
    world, pollution, django_assert_num_queries
):
    first = route(114.83, 37.181, pollution)
    with django_assert_num_queries(1):  # the registry version, read on every call inside a transaction
        second = route(114.83, 37.181, pollution)
    assert key(second) == key(first)
    assert second.reach is not first.reach and second.region is not first.region
    assert second.reach.water_body == world.river and second.reach.region == world.town_b
    assert second.office.region == world.town_b and second.chiefs[0].username == "chief_b"
    second.reach.name = "changed by a caller"
    assert route(114.83, 37.181, pollution).reach.name == "清水河西河段"
    assert route(114.83, 37.181, pollution).reach.geometry == world.reach_b.geometry  # deferred, then loaded


def test_a_new_reach_created_after_a_first_call_is_found_on_the_next_call(world, pollution, monkeypatch):
    assert route(114.6, 37.35, pollution).reach is None
    new = m.Reach.objects.create(
        water_body=world.river,
        region=world.town_a,
        name="清水河北延段",
        code="ABA10000000L-009",
        geometry=line((114.59, 37.349), (114.61, 37.351)),
    )
    cached_only(monkeypatch)
    routing_ = route(114.6, 37.35, pollution)
    assert routing_.reach == new and routing_.office == world.office_a


def test_rows_written_without_signals_are_seen_through_the_registry_version(world, pollution):
    assert route(114.6, 37.35, pollution).reach is None
    reach = m.Reach(
        water_body=world.river,
        region=world.town_a,
        name="清水河北延段",
        code="ABA10000000L-009",
        geometry=line((114.59, 37.349), (114.61, 37.351)),
    )
    reach.update_bbox()
    m.Reach.objects.bulk_create([reach])  # as the demo writes: no save(), no signal, no Change row
    assert route(114.6, 37.35, pollution).reach.code == "ABA10000000L-009"


def test_an_ended_assignment_stops_being_a_responsible_chief(world, pollution, monkeypatch):
    assert route(114.83, 37.181, pollution).chiefs == [world.chief_b]
    world.assignment_b.end_date = timezone.localdate() - datetime.timedelta(days=1)
    world.assignment_b.save()
    cached_only(monkeypatch)
    assert route(114.83, 37.181, pollution).chiefs == [world.county_chief]


def test_an_assignment_ending_today_ends_at_midnight_without_a_rebuild(world, pollution, monkeypatch):
    today = timezone.localdate()
    world.assignment_b.end_date = today
    world.assignment_b.save()
    assert route(114.83, 37.181, pollution).chiefs == [world.chief_b]
    snapshot = routing_cache.snapshot()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1))
    assert route_uncached(114.83, 37.181, pollution).chiefs == [world.county_chief]
    assert route(114.83, 37.181, pollution).chiefs == [world.county_chief]
    assert routing_cache.snapshot() is snapshot


def test_between_checks_another_process_s_change_waits_for_the_next_check(
    world, pollution, settings, monkeypatch, django_assert_num_queries
):
    settings.HEZHANG_ROUTING_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(routing_cache, "_clock", lambda: now[0])
    monkeypatch.setattr(routing_cache, "_in_transaction", lambda alias: False)  # as a request outside one
    assert route(114.6, 37.35, pollution).reach is None
    with django_assert_num_queries(0):
        assert route(114.6, 37.35, pollution).reach is None
    reach = m.Reach(
        water_body=world.river,
        region=world.town_a,
        name="清水河北延段",
        code="ABA10000000L-009",
        geometry=line((114.59, 37.349), (114.61, 37.351)),
    )
    reach.update_bbox()
    m.Reach.objects.bulk_create([reach])  # what another process's change looks like to this one
    now[0] += 4.0
    assert route(114.6, 37.35, pollution).reach is None
    now[0] += 1.5
    assert route(114.6, 37.35, pollution).reach.code == "ABA10000000L-009"


def test_this_process_s_own_saves_are_seen_at_once(world, pollution, settings, monkeypatch):
    settings.HEZHANG_ROUTING_CACHE_SECONDS = 3600
    monkeypatch.setattr(routing_cache, "_in_transaction", lambda alias: False)
    assert route(114.83, 37.181, pollution).office == world.office_b
    world.office_b.delete()
    assert route(114.83, 37.181, pollution).office == world.office_county


def test_a_reach_whose_stored_box_misses_its_line_is_routed_as_the_database_routes_it(world, pollution):
    m.Reach.objects.filter(pk=world.reach_a.pk).update(geometry=line((114.59, 37.349), (114.61, 37.351)))
    routing_cache.invalidate()  # update() bypasses save(): nothing else tells the cache
    assert key(route(114.6, 37.35, pollution)) == key(route_uncached(114.6, 37.35, pollution))
    assert (
        route(114.6, 37.35, pollution).reach is None
    )  # the box still says the old place, as the SQL reads it


def test_an_unreadable_geometry_fails_as_it_did_without_the_cache(world, pollution):
    m.Region.objects.create(
        code="130523100002",
        name="错图村",
        level=5,
        parent=world.town_a,
        geometry=line((114.6, 37.3), (114.61, 37.31)),
    )
    with pytest.raises(ValueError):
        route_uncached(114.605, 37.305, pollution)
    with pytest.raises(ValueError):
        route(114.605, 37.305, pollution)
    assert key(route(114.83, 37.181, pollution)) == key(route_uncached(114.83, 37.181, pollution))


def test_a_negative_setting_switches_the_cache_off(world, pollution, settings):
    settings.HEZHANG_ROUTING_CACHE_SECONDS = -1
    assert routing_cache.snapshot() is None
    assert route(114.83, 37.181, pollution).reach == world.reach_b


def test_with_no_office_at_all_nothing_is_routed(db):
    assert route(114.83, 37.181) is None
