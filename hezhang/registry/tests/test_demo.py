"""The demo county: realistic, complete enough for every page, and safe to build twice.

The county is built once for the module inside a transaction that is rolled back at the end, so other
test modules never see it.
"""

import io
import math
import random

import pytest
import shapely
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from shapely.geometry import shape

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import User
from hezhang.geo.validation import validate_geometry
from hezhang.registry.demo import DEMO_PASSWORD, LOGIN_URL, build_county, cutting
from hezhang.registry.demo import rivers as rv
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.registry.models import ChiefAssignment, DelegateLink, Reach, Region, WaterBody

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_county()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_the_county_has_at_least_sixty_rivers_and_between_350_and_450_reaches(demo):
    assert WaterBody.objects.filter(kind="river").count() >= 60
    assert 350 <= Reach.objects.count() <= 450
    assert demo["counts"]["reaches"] == Reach.objects.count()
    assert Region.objects.filter(level=4).count() >= 10
    assert Region.objects.filter(level=5).count() >= 100


def test_every_reach_geometry_is_valid_and_lies_mostly_inside_its_region(demo):
    for reach in Reach.objects.select_related("region"):
        geom = shape(reach.geometry)
        assert geom.geom_type in ("LineString", "Polygon"), reach.code
        assert geom.is_valid and (geom.geom_type == "Polygon" or geom.is_simple), reach.code
        validate_geometry(reach.geometry, Reach.geometry_types)
        slack = 0.003  # about 300 m: short stretches across a border stay with their neighbour
        assert reach.min_lon >= reach.region.min_lon - slack and reach.max_lon <= reach.region.max_lon + slack
        assert reach.min_lat >= reach.region.min_lat - slack and reach.max_lat <= reach.region.max_lat + slack
        region = shape(reach.region.geometry).buffer(1e-6)
        if geom.geom_type == "LineString":
            outside = geom.length - geom.intersection(region).length
            assert outside <= 0.4 * geom.length or outside < slack, reach.code
            assert reach.length_m > 0
        else:
            assert geom.intersection(region).area >= 0.85 * geom.area, reach.code
            assert reach.area_m2 > 0


def test_every_reach_has_a_current_chief(demo):
    with_chief = set(ChiefAssignment.objects.current().exclude(reach=None).values_list("reach_id", flat=True))
    assert set(Reach.objects.values_list("pk", flat=True)) <= with_chief


def test_chiefs_exist_at_all_five_levels(demo):
    levels = set(ChiefAssignment.objects.current().values_list("level", flat=True))
    assert levels == {1, 2, 3, 4, 5}
    assert User.objects.filter(role="chief", chief_level=3, is_general=True).exists()


def test_past_assignments_are_kept_next_to_their_successors(demo):
    past = ChiefAssignment.objects.past()
    assert past.count() >= 10
    for old in past.filter(level=3):
        assert ChiefAssignment.objects.current().filter(water_body=old.water_body, level=3).exists()


def test_delegates_are_linked_to_rivers_and_lakes_they_supervise(demo):
    delegates = User.objects.filter(role="delegate")
    linked = set(DelegateLink.objects.current().values_list("delegate", flat=True))
    assert set(delegates.values_list("pk", flat=True)) == linked
    mine = DelegateLink.objects.filter(delegate__username="delegate").select_related("water_body")
    current = [link for link in mine if link.is_current]
    assert len(current) >= 3 and any(link.reach_id for link in current)
    assert {"lake", "reservoir"} & {link.water_body.kind for link in current}
    assert mine.exclude(end_date=None).exists()  # last term's link is kept
    for link in DelegateLink.objects.select_related("reach"):
        link.full_clean()


def test_every_demo_account_can_log_in_with_the_documented_password(demo, client):
    usernames = [a["username"] for a in demo["accounts"]]
    assert usernames == [u for u, _zh, _en in DEMO_ACCOUNTS]
    for username in usernames:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_the_township_office_sees_only_its_townships_reaches(demo):
    office = User.objects.get(username="township_office")
    township = office.region
    seen = visible(Reach.objects.all(), office)
    assert 0 < seen.count() < Reach.objects.count()
    assert seen.count() == Reach.objects.filter(region__path__startswith=township.path).count()
    assert all(path.startswith(township.path) for path in seen.values_list("region__path", flat=True))


def test_the_township_and_village_accounts_belong_where_the_rivers_are(demo):
    township = User.objects.get(username="township_chief").region
    assert township.level == 4 and User.objects.get(username="township_office").region == township
    assert WaterBody.objects.filter(regions=township, kind="river").exists()
    village = User.objects.get(username="village_chief").region
    assert village.parent == township
    chief = User.objects.get(username="village_chief")
    assert ChiefAssignment.objects.current().filter(chief=chief).exists()
    assert User.objects.get(username="grid_member").grids.filter(region=village).exists()


def test_building_twice_does_not_duplicate_anything(demo):
    again = build_county()
    assert again["built"] is False
    assert again["counts"] == demo["counts"]


def test_the_demo_command_prints_the_accounts_and_the_login_address_without_serving(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the command also photographs its demo cases
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert LOGIN_URL in text and DEMO_PASSWORD in text
    for username, zh, en in DEMO_ACCOUNTS:
        assert username in text and zh in text and en in text
    assert Reach.objects.count() == demo["counts"]["reaches"]


def test_region_codes_follow_the_statistical_hierarchy(demo):
    for region in Region.objects.select_related("parent"):
        region.clean()


def test_villages_tile_their_township(demo):
    township = User.objects.get(username="township_office").region
    villages = [shape(v.geometry) for v in township.children.all()]
    union = shapely.union_all(villages)
    assert math.isclose(union.area, shape(township.geometry).area, rel_tol=1e-3)
    assert math.isclose(sum(v.area for v in villages), union.area, rel_tol=1e-3)


def test_a_meander_keeps_its_ends_and_never_crosses_itself():
    rng = random.Random(3)
    for _ in range(20):
        line = rv.meander(rng, (0.0, 0.0), (12.0, 3.0), amplitude=0.4)
        assert line.coords[0] == (0.0, 0.0) and line.coords[-1] == (12.0, 3.0)
        assert line.is_simple and line.length > math.hypot(12, 3)


def test_cutting_a_line_gives_one_piece_per_cell_in_order():
    cells = [shapely.box(0, 0, 5, 5), shapely.box(5, 0, 10, 5)]
    line = shapely.LineString([(-1, 2), (4.95, 2.5), (5.05, 2.6), (9, 3)])
    pieces = cutting.cut(line, cells, shapely.STRtree(cells), min_length=0.5)
    assert [p.cell for p in pieces] == [None, 0, 1]
    assert math.isclose(sum(p.length for p in pieces), line.length)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:], strict=False))
