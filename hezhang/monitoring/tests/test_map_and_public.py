"""Water quality where people look: the one map's sections layer and info panels, and the public reach page."""

from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.tests.conftest import CLEAN, DIRTY, at


def test_the_map_colours_each_section_by_its_latest_class(wq, login):
    record_sample(wq.section_b, at(30), CLEAN)
    record_sample(wq.section_b, at(2), DIRTY)
    body = login(wq.bob).get("/map/layers/sections/").json()
    props = {f["properties"]["name"]: f["properties"] for f in body["features"]}
    assert props["西河断面"]["water_class"] == 6
    assert props["西河断面"]["colour"] == "#e02020"
    assert props["东坝—西河交界断面"]["water_class"] is None


def test_the_reach_info_panel_gives_the_latest_water_quality_of_its_sections(wq, login):
    record_sample(wq.section_b, at(2), CLEAN)
    body = login(wq.bob).get(f"/map/info/reaches/{wq.reach_b.pk}/").json()
    assert "西河断面 II类" in body["water_quality"]


def test_a_section_info_panel_links_to_its_monitoring_page(wq, login):
    record_sample(wq.section_b, at(2), {**CLEAN, "NH3N": 1.2})
    body = login(wq.bob).get(f"/map/info/sections/{wq.section_b.pk}/").json()
    assert body["url"] == f"/monitoring/sections/{wq.section_b.pk}/"
    assert body["water_quality"].startswith("IV类")
    assert "最近月未达目标" in body["water_quality"]


def test_the_public_reach_page_shows_each_sections_latest_class_without_staff_details(wq, client):
    record_sample(wq.section_b, at(2), DIRTY, note="化验员张三 13800000000")
    page = client.get(f"/public/reaches/{wq.reach_b.code}/").content.decode()
    assert 'id="public-quality"' in page
    assert "西河断面" in page and "劣V" in page and "重度污染" in page
    assert "13800000000" not in page


def test_a_reach_without_sections_has_no_water_quality_panel(wq, client):
    page = client.get(f"/public/reaches/{wq.reach_a.code}/").content.decode()
    assert 'id="public-quality"' not in page


def test_the_big_screen_counts_sections_by_class_and_places_them_on_its_map(wq, login):
    record_sample(wq.section_b, at(2), DIRTY)
    record_sample(wq.boundary, at(2), CLEAN)
    body = login(wq.county_office).get("/screen/data/").json()["water_quality"]
    counts = {row["name"]: row["n"] for row in body["classes"]}
    assert counts["劣V"] == 1 and counts["II"] == 1
    assert body["good"] == 1 and body["evaluated"] == 2
    assert {s[3] for s in body["sections"]} == {"西河断面", "东坝—西河交界断面"}
