"""A delegate logs in and finds, on their workbench, the water bodies they supervise and the visits still due."""

import datetime

import pytest
from django.utils import timezone

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.patrols.models import Patrol
from hezhang.registry.models import DelegateLink
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_a_delegate_sees_their_water_bodies_visits_due_and_cases(page, world, django_user_model):
    dan = django_user_model.objects.create_user(
        username="dan",
        password="s3cret-pass-123",
        role="delegate",
        region=world.county,
        name="周代表",
        position="县人大代表",
    )
    DelegateLink.objects.create(delegate=dan, water_body=world.river, region=world.town_a, note="代表联系点")
    DelegateLink.objects.create(
        delegate=dan, water_body=world.river, reach=world.reach_b, region=world.town_b
    )
    visit = Patrol.objects.create(
        patroller=dan,
        role="delegate",
        region=world.town_a,
        started_at=timezone.now() - datetime.timedelta(minutes=50),
        ended_at=timezone.now() - datetime.timedelta(minutes=10),
        is_valid=True,
    )
    visit.reaches.set([world.reach_a])
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    case, _created = create_case(category=category, channel="delegate", lon=114.6, lat=37.12, reporter=dan)

    log_in(page, "dan")

    figures = page.locator(".kpis").first.inner_text()
    assert "我联系的河湖" in figures and "本周期未巡的河湖" in figures
    rows = page.locator("#my-water-bodies tbody tr")
    assert rows.count() == 2
    assert "已巡 1 次" in rows.nth(0).inner_text() and "待巡" in rows.nth(1).inner_text()
    assert case.number in page.inner_text("#my-cases")
    page.locator("#my-water-bodies").screenshot(path="/tmp/delegate_workbench_table.png")
    page.screenshot(path="/tmp/delegate_workbench.png", full_page=True)
    shot(page, "delegate-workbench")

    # Every number leads to its list: the links themselves, then this period's patrols on the river.
    page.click("a.kpi:has-text('我联系的河湖')")
    page.wait_for_url("**/registry/delegate-links/**")
    assert page.locator("table.grid tbody tr").count() == 2
    page.go_back()
    page.locator("#my-water-bodies tbody tr").nth(0).get_by_text("巡河记录").click()
    page.wait_for_url("**/patrols/?water_body=*")
    assert "水体：清水河" in page.inner_text("form.filters")
    assert page.locator("table.grid tbody tr").count() == 1
