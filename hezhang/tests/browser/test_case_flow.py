"""The whole case path in a browser: a phone reports, the township office assigns, the department completes
with an after photo, the office verifies and closes, and the reporter rates it."""

import io

import pytest
from PIL import Image

from hezhang.cases.models import Case
from hezhang.notifications.models import OutboxMessage
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def jpeg_file(tmp_path, name, color):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_public_report_is_routed_handled_closed_and_rated(
    browser, live_server, world, settings, tmp_path, django_user_model
):
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_user(
        username="dana",
        password="s3cret-pass-123",
        role="department",
        region=world.town_b,
        department=world.dept_b,
    )
    # Step 1–3 on a phone: photo, category, phone number; the position comes from the phone's GPS.
    phone_ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"longitude": 114.83, "latitude": 37.181},
        permissions=["geolocation"],
    )
    phone = phone_ctx.new_page()
    phone.goto(live_server.url + "/public/report/")
    phone.wait_for_selector("#where.ok")
    phone.set_input_files("#photos", jpeg_file(tmp_path, "oil.jpg", (60, 60, 40)))
    phone.click("text=水体污染")
    phone.fill("textarea[name=description]", "桥下水面有油污")
    phone.fill("input[name=phone]", "13800000009")
    shot(phone, "case-1-public-report-phone")
    phone.click("#submit")
    phone.wait_for_selector(".number")
    number = phone.inner_text(".number").strip()
    assert "西河乡河长办" in phone.inner_text("main")
    shot(phone, "case-2-public-done-phone")
    case = Case.objects.get(number=number)
    assert case.office == world.office_b and case.reach == world.reach_b

    # The township office accepts and assigns it to a department in one screen.
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.base = live_server.url
    log_in(page, "bob")
    page.goto(live_server.url + "/cases/?queue=new")
    assert number in page.inner_text("main")
    shot(page, "case-3-dispatch-new")
    page.click(f"text={number}")
    page.click("summary:has-text('交办')")
    page.select_option("details[open] select[name=department]", str(world.dept_b.pk))
    page.fill("details[open] textarea[name=note]", "请三日内清理")
    page.click("details[open] button.primary")
    page.wait_for_selector("text=已交办")

    # The department starts, then completes with an after photo taken like the before one.
    page.context.clear_cookies()
    log_in(page, "dana")
    page.goto(live_server.url + "/cases/mine/")
    page.click(f"text={number}")
    page.click("summary:has-text('签收处置')")
    page.click("details[open] button.primary")
    page.click("summary:has-text('办结')")
    page.set_input_files("details[open] input[name=photos]", jpeg_file(tmp_path, "clean.jpg", (40, 140, 200)))
    page.fill("details[open] textarea[name=note]", "已清除油污")
    shot(page, "case-4-complete-with-after-photo")
    page.click("details[open] button.primary")
    page.wait_for_selector("text=已办结待核查")

    # The office verifies and closes.
    page.context.clear_cookies()
    log_in(page, "bob")
    page.goto(live_server.url + f"/cases/{number}/")
    page.click("summary:has-text('核查通过')")
    page.click("details[open] button.primary")
    page.click("summary:has-text('结案')")
    page.click("details[open] button.primary")
    page.wait_for_selector(".tag.big:has-text('已结案')")
    shot(page, "case-5-closed-timeline")

    # The reporter got the outbox SMS, follows the case with number and phone, and rates it.
    assert OutboxMessage.objects.filter(channel="sms", to="13800000009", body__contains=number).exists()
    phone.goto(live_server.url + "/public/track/")
    phone.fill("input[name=number]", number)
    phone.fill("input[name=phone]", "13800000009")
    phone.click("button.primary")
    phone.click("label.choice:has(input[value=satisfied])")
    phone.click("text=提交评价")
    phone.wait_for_selector("text=您的评价")
    shot(phone, "case-6-rated-phone")
    case.refresh_from_db()
    assert case.state_id == "closed" and case.rating == "satisfied"
    assert "13800000009" not in phone.content()
    phone_ctx.close()
    page.close()
