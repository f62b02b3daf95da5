"""河湖一张图: layers scoped to the jurisdiction and the box, thinned by zoom, coloured by patrol status; search
and the info panel."""

import pytest
from django.utils import timezone

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.onemap.simplify import simplify
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk

pytestmark = pytest.mark.django_db


def layer(client, name, **params):
    response = client.get(f"/map/layers/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_map_page_opens_on_the_users_jurisdiction(client, world):
    client.force_login(world.alice)
    page = client.get("/map/").content.decode()
    assert 'id="om-map"' in page and 'data-home="114.5,37.0,114.75,37.4"' in page


def test_a_township_office_sees_only_its_own_reaches_and_cases(client, world):
    pollution = CaseCategory.objects.get(region=None, code="water_pollution")
    mine, _ = create_case(category=pollution, channel="public", lon=114.6, lat=37.12)
    create_case(category=pollution, channel="public", lon=114.83, lat=37.18)
    client.force_login(world.alice)
    assert [f["id"] for f in layer(client, "reaches")["features"]] == [world.reach_a.pk]
    assert [f["id"] for f in layer(client, "cases-open")["features"]] == [mine.number]


def test_reaches_are_coloured_by_valid_patrols_in_the_chosen_period(client, world):
    from hezhang.patrols.models import PatrolRule

    PatrolRule.objects.create(region=world.town_a, role="chief", period="week", require_checklist=False)
    patrol = import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.5, step_s=10))
    assert patrol.is_valid
    client.force_login(world.county_office)
    day = timezone.localdate(patrol.started_at)
    shown = {
        f["id"]: f["properties"]["patrolled"]
        for f in layer(client, "reaches", start=day, end=day)["features"]
    }
    assert shown == {world.reach_a.pk: True, world.reach_b.pk: False}
    earlier = {
        f["id"]: f["properties"]["patrolled"]
        for f in layer(client, "reaches", start="2020-01-01", end="2020-01-31")["features"]
    }
    assert earlier[world.reach_a.pk] is False
    heat = layer(client, "patrols-heat", start=day, end=day)
    assert len(heat["points"]) > 10


def test_the_box_cuts_and_the_zoom_thins_geometry(client, world):
    client.force_login(world.county_office)
    assert layer(client, "reaches", bbox="114.5,37.0,114.72,37.2")["features"][0]["id"] == world.reach_a.pk
    wiggly = {
        "type": "LineString",
        "coordinates": [[114 + i * 0.001, 37 + (i % 2) * 0.00001] for i in range(200)],
    }
    assert len(simplify(wiggly, 8)["coordinates"]) < 10 and simplify(wiggly, None) == wiggly
    assert client.get("/map/layers/reaches/", {"bbox": "1,2,3"}).status_code == 400
    assert client.get("/map/layers/nothing/").status_code == 400


def test_search_finds_a_reach_a_chief_and_a_case_number(client, world):
    pollution = CaseCategory.objects.get(region=None, code="water_pollution")
    case, _ = create_case(category=pollution, channel="public", lon=114.6, lat=37.12)
    client.force_login(world.county_office)
    labels = [r["label"] for r in client.get("/map/search/", {"q": "东坝"}).json()["results"]]
    assert any("清水河东坝段" in label for label in labels)
    by_chief = client.get("/map/search/", {"q": "赵镇长"}).json()["results"]
    assert by_chief[0]["id"] == world.reach_a.pk and by_chief[0]["bbox"]
    by_number = client.get("/map/search/", {"q": case.number}).json()["results"]
    assert by_number[0]["url"].endswith(f"/cases/{case.number}/")


def test_the_info_panel_of_a_reach_lists_its_chiefs_with_phones_for_staff(client, world):
    client.force_login(world.alice)
    info = client.get(f"/map/info/reaches/{world.reach_a.pk}/").json()
    assert info["title"] == "清水河东坝段"
    township = next(c for c in info["chiefs"] if c["name"] == "赵镇长")
    assert (
        township["phone"] == "13900000001" and len(info["chiefs"]) >= 2
    )  # the county chief of the river too
    assert info["water_quality"] is None and info["patrols"] == [] and info["cases"] == []
    assert client.get(f"/map/info/reaches/{world.reach_b.pk}/").status_code == 404  # another township's
