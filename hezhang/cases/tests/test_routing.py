"""Routing: a case reaches the office and chief who answer for the place, and is never dropped."""

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.cases.routing import route
from hezhang.registry import models as m


def test_a_point_beside_a_reach_goes_to_that_reach_its_township_office_and_chief(world, pollution):
    routing = route(114.83, 37.181, pollution)
    assert routing.reach == world.reach_b and routing.water_body == world.river
    assert routing.office == world.office_b and routing.region == world.town_b
    assert routing.chiefs == [world.chief_b]  # the lowest level answering for the reach, not the county chief
    assert not routing.outside and routing.distance_m < 200


def test_a_point_far_from_any_reach_goes_to_the_region_containing_it(world, pollution):
    routing = route(114.6, 37.35, pollution)
    assert routing.reach is None
    assert routing.office == world.office_a


def test_a_point_in_a_pond_goes_to_the_pond(world, pollution):
    routing = route(114.805, 37.305, pollution)
    assert routing.water_body == world.pond_b and routing.reach is None


def test_a_point_outside_every_jurisdiction_goes_to_the_top_office_marked_so(world, pollution):
    routing = route(100.0, 30.0, pollution)
    assert routing.outside and routing.office == world.office_county


def test_a_nearby_assets_owner_is_proposed_before_the_categorys_department(world):
    m.Asset.objects.create(
        code="MH-1",
        name="3号井盖",
        kind="manhole",
        region=world.town_b,
        department=world.dept_b,
        geometry={"type": "Point", "coordinates": [114.8301, 37.1801]},
    )
    category = CaseCategory.objects.get(region=None, code="damaged_facility")
    routing = route(114.83, 37.18, category)
    assert routing.department == world.dept_b and "3号井盖" in routing.note


def test_the_categorys_department_kind_finds_the_department_up_the_tree(world):
    water = m.Department.objects.create(region=world.county, name="临水县水利局", kind="water")
    category = CaseCategory.objects.get(region=None, code="encroachment")
    assert route(114.83, 37.18, category).department == water


def test_case_number_reads_region_date_and_sequence(world, pollution):
    first, _ = create_case(category=pollution, channel="hotline", lon=114.83, lat=37.18)
    second, _ = create_case(category=pollution, channel="hotline", lon=114.83, lat=37.18)
    assert first.number.startswith("130523-") and first.number.endswith("-0001")
    assert second.number.endswith("-0002")


def test_a_retry_with_the_same_client_id_creates_no_second_case(world, pollution):
    first, created = create_case(
        category=pollution, channel="public", lon=114.83, lat=37.18, client_id="abc-1"
    )
    again, created_again = create_case(
        category=pollution, channel="public", lon=114.83, lat=37.18, client_id="abc-1"
    )
    assert created and not created_again and first.pk == again.pk


def test_the_report_is_the_first_event_and_routing_is_recorded(case_b):
    event = case_b.events.get()
    assert event.action == "report" and event.to_state_id == "reported"
    assert "清水河西河段" in case_b.routing_note
