"""The big screen on a 1920x1080 display: drawn, and refreshed by polling without a reload."""

import pytest

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_the_command_centre_screen_draws_and_refreshes_itself(browser, live_server, world):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    create_case(category=category, channel="public", lon=114.6, lat=37.12)
    import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.5, step_s=10))
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen = context.new_page()
    screen.base = live_server.url
    log_in(screen, "carol")
    screen.goto(live_server.url + "/screen/")
    screen.wait_for_selector("#screen[data-ready='1']")
    assert screen.inner_text("#k-open_cases") == "1"
    create_case(category=category, channel="public", lon=114.83, lat=37.18)
    screen.evaluate("document.getElementById('screen').dataset.ready = ''")
    screen.wait_for_function("document.getElementById('k-open_cases').textContent === '2'", timeout=45000)
    assert screen.url.endswith("/screen/")  # no reload
    shot(screen, "bigscreen")
    context.close()
