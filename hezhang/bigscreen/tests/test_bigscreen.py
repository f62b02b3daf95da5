"""The big screen: figures for the user's jurisdiction, polled without a reload, a session that outlives the day."""

import pytest

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk

pytestmark = pytest.mark.django_db


def test_the_screen_shows_todays_patrols_cases_and_rankings_of_the_county(client, world):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    create_case(category=category, channel="public", lon=114.6, lat=37.12)
    create_case(category=category, channel="public", lon=114.83, lat=37.18)
    import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.3, step_s=10))
    client.force_login(world.county_office)
    page = client.get("/screen/")
    assert page.status_code == 200 and "河湖长制指挥大屏" in page.content.decode()
    assert client.session.get_expiry_age() > 7 * 24 * 3600  # stays logged in on the wall
    data = client.get("/screen/data/").json()
    assert data["kpis"]["open_cases"] == 2 and data["kpis"]["reported_month"] == 2
    assert {row["name"] for row in data["ranking"]} == {"东坝镇", "西河乡"}
    assert data["categories"] == [{"name": "水体污染", "n": 2}]
    assert {item["kind"] for item in data["feed"]} == {"case", "patrol"}
    assert len(data["cases"]) == 2


def test_a_township_screen_counts_only_its_own(client, world):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    create_case(category=category, channel="public", lon=114.83, lat=37.18)
    client.force_login(world.alice)
    assert client.get("/screen/data/").json()["kpis"]["open_cases"] == 0


def test_the_screen_asks_for_a_login_first(client, world):
    assert client.get("/screen/data/").status_code == 302
