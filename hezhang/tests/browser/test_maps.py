"""Pages in a real browser: the workbench map, drawing a reach, the public page on a phone."""

import json

import pytest

from hezhang.registry import models as m
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_township_office_finds_its_reaches_and_chiefs_on_the_workbench_map(page, world):
    log_in(page, "alice")
    page.wait_for_selector("#map[data-ready='1']")
    overlays = page.inner_text(".leaflet-control-layers-overlays")
    assert "河段 (1)" in overlays and "水体 (1)" in overlays and "行政区 (2)" in overlays
    assert "赵镇长" in page.inner_text("main")
    shot(page, "workbench-township-office")
    assert "钱乡长" not in page.inner_text("main")


def test_office_draws_a_new_reach_on_the_map_and_saves_it(page, world):
    log_in(page, "alice")
    page.goto(page.base + "/registry/reaches/new/")
    page.wait_for_selector("#map[data-ready='1']")
    page.select_option("select[name=water_body]", str(world.river.pk))
    page.select_option("select[name=region]", str(world.village_a.pk))
    page.fill("input[name=name]", "清水河柳庄段")
    page.fill("input[name=code]", "ABA10000000L-010")
    page.click(".leaflet-draw-draw-polyline")
    box = page.locator("#map").bounding_box()
    x, y = box["x"], box["y"]
    for dx, dy in ((200, 200), (320, 260), (420, 240)):
        page.mouse.click(x + dx, y + dy)
        page.wait_for_timeout(300)  # slower than a double click, as a person draws
    page.click(".leaflet-draw-actions a:text('完成')")
    value = json.loads(page.input_value("textarea[name=geometry]"))
    assert value["type"] == "LineString" and len(value["coordinates"]) == 3
    shot(page, "reach-drawn")
    page.click("form.editform button.primary")
    page.wait_for_selector("text=已保存")
    reach = m.Reach.objects.get(code="ABA10000000L-010")
    assert reach.length_m > 0 and reach.geometry["coordinates"] == value["coordinates"]
    page.wait_for_selector("#map[data-ready='1']")
    shot(page, "reach-detail")


def test_invalid_geometry_typed_by_hand_is_explained_on_the_form(page, world):
    log_in(page, "bob")
    page.goto(page.base + "/registry/assets/new/")
    page.fill("input[name=code]", "AS-X")
    page.fill("input[name=name]", "测试井盖")
    page.select_option("select[name=region]", str(world.town_b.pk))
    page.fill("textarea[name=geometry]", '{"type": "Point", "coordinates": [190, 37]}')
    page.click("form.editform button.primary")
    assert "经度 190" in page.inner_text(".has-error .error")
    assert not m.Asset.objects.filter(code="AS-X").exists()


def test_public_reach_page_reads_well_on_a_phone(phone, world):
    phone.goto(phone.base + f"/public/reaches/{world.reach_b.code}/")
    phone.wait_for_selector("#map[data-ready='1']")
    text = phone.inner_text("body")
    assert "钱乡长" in text and "0319-5550122" in text
    assert "13900000002" not in phone.content()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    shot(phone, "public-reach-phone")


def test_language_can_be_switched_to_english(page, world):
    log_in(page, "alice")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Workbench" in page.inner_text(".mainnav")
