"""The issue's "done" path for patrols, in a phone-sized Chromium with emulated GPS: a chief starts in one tap,
walks, loses the network halfway, reports a problem, ends, regains the network, and the office sees it all."""

import time

import pytest

from hezhang.cases.models import CaseCategory
from hezhang.patrols.models import Patrol, PatrolRule
from hezhang.patrols.tests.conftest import walk
from hezhang.tests.browser.conftest import SCREENSHOTS, log_in, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(world):
    PatrolRule.objects.create(region=world.town_a, role="chief", period="week", require_checklist=True)
    return CaseCategory.objects.get(region=None, code="bank_garbage")


def test_a_chief_patrols_offline_halfway_reports_a_problem_and_the_office_sees_everything(
    browser, live_server, world, seeded, settings
):
    settings.HEZHANG_PATROL_MIN_FIX_SECONDS = 0  # the emulated walk moves faster than a person
    route = walk(world.reach_a.geometry["coordinates"], 0.1, 0.16, speed=1.4, step_s=5)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": route[0].lat, "longitude": route[0].lon, "accuracy": 8},
    )
    phone = context.new_page()
    phone.set_default_timeout(15000)
    phone.base = live_server.url
    phone.on("dialog", lambda dialog: dialog.accept())
    log_in(phone, "chief_a")
    # The phone's clock runs in the test's hands: a fix every 5 s of its time, an hour ago.
    phone.clock.install(time=time.time() - 3600)
    phone.goto(live_server.url + "/patrols/app/")
    phone.wait_for_function("document.getElementById('where').textContent.includes('清水河东坝段')")
    shot(phone, "field-app-home")

    phone.click("#start")  # one tap
    phone.wait_for_selector("#patrol:not([hidden])")
    half = len(route) // 2
    for point in route[1:half]:
        phone.clock.fast_forward(5000)
        context.set_geolocation({"latitude": point.lat, "longitude": point.lon, "accuracy": 8})
        phone.wait_for_timeout(60)
    phone.evaluate("window.hezhangField.sync()")
    phone.wait_for_function("document.getElementById('sync').textContent === '已同步'")

    context.set_offline(True)  # the network is lost halfway
    for point in route[half:]:
        phone.clock.fast_forward(5000)
        context.set_geolocation({"latitude": point.lat, "longitude": point.lon, "accuracy": 8})
        phone.wait_for_timeout(60)
    phone.click("#open-report")
    phone.click(f"input[name=category][value='{seeded.pk}']")
    phone.fill("#report-text", "岸边堆了建筑垃圾")
    phone.click("#send-report")
    phone.click("#checklist li:has-text('岸坡有垃圾') button:has-text('有')")
    phone.fill("#note", "发现一处垃圾，已上报")
    phone.dispatch_event("#note", "change")
    shot(phone, "field-app-patrol-offline")
    phone.click("#end")
    phone.wait_for_selector("#done:not([hidden])")
    assert "联网后自动上传" in phone.inner_text("#verdict")
    assert not Patrol.objects.filter(ended_at__isnull=False).exists()  # nothing ended on the server yet

    context.set_offline(False)  # the network comes back: everything goes up by itself
    phone.evaluate("window.hezhangField.sync()")
    phone.wait_for_function("document.getElementById('verdict').textContent.includes('不计为有效巡河')")
    shot(phone, "field-app-done")

    patrol = Patrol.objects.get()
    assert not patrol.is_open and patrol.point_count == len(route)
    assert list(patrol.reaches.all()) == [world.reach_a] and patrol.coverage > 0.04
    assert patrol.answers.get(item__code="bank_garbage").found is True
    assert patrol.note == "发现一处垃圾，已上报"
    case = patrol.cases.get()
    assert case.channel == "patrol" and case.reporter == world.chief_a and case.office == world.office_a
    context.close()

    office = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN").new_page()
    office.base = live_server.url
    log_in(office, "alice")
    office.goto(f"{live_server.url}/patrols/{patrol.pk}/")
    office.wait_for_selector("#map[data-ready='1']")
    text = office.inner_text("main")
    assert case.number in text and "河段覆盖率" in text and "岸坡有垃圾" in text
    shot(office, "field-app-office-view")
    assert SCREENSHOTS.exists()
