"""统计分析 in a real browser: charts drawn from the figures."""

import pytest

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_county_office_reads_statistics_with_charts(page, world):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    create_case(category=category, channel="public", lon=114.6, lat=37.12)
    create_case(category=category, channel="hotline", lon=114.83, lat=37.18)
    import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.4, step_s=10))
    log_in(page, "carol")
    page.goto(page.base + "/statistics/")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("#chart-trend canvas").count() == 1
    shot(page, "statistics-county")
