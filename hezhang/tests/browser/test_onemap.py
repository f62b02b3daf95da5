"""河湖一张图 in a real browser: layers drawn, search flies to a reach, the info panel shows its chiefs."""

import pytest

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_county_office_searches_a_chief_and_reads_the_reach_in_the_info_panel(page, world):
    create_case(
        category=CaseCategory.objects.get(region=None, code="water_pollution"),
        channel="public",
        lon=114.6,
        lat=37.12,
    )
    log_in(page, "carol")
    page.goto(page.base + "/map/")
    page.wait_for_selector("#onemap[data-ready='1']")
    page.fill("#om-search", "赵镇长")
    page.click("#om-results li:has-text('清水河东坝段')")
    page.wait_for_selector("#om-info:not([hidden]) h3")
    info = page.inner_text("#om-info")
    assert "清水河东坝段" in info and "赵镇长" in info and "13900000001" in info and "暂无监测数据" in info
    page.wait_for_selector("#onemap[data-ready='1']")
    shot(page, "onemap-county-office")
