"""随手拍 as the public uses it: report in three steps, follow by number and phone, rate, reopen once."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hezhang.cases.intake import RENDER_JOB, render_pending
from hezhang.cases.models import Case
from hezhang.cases.tests.conftest import jpeg
from hezhang.cases.workflow import perform
from hezhang.jobs.schedule import run_due


def photo(name="river.jpg", gps=None):
    image = Image.new("RGB", (80, 60), (90, 140, 200))
    exif = Image.Exif()
    if gps:
        lon, lat = gps

        def dms(value):
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round(((value - d) * 60 - m) * 60, 2))

        exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def report(client, **data):
    payload = {"category": data.pop("category"), "photos": data.pop("photos", photo()), **data}
    return client.post(reverse("public-cases:report"), payload)


def test_public_reports_in_three_steps_and_gets_a_tracking_number(client, world, pollution):
    response = report(
        client, category=pollution.pk, lon="114.83", lat="37.181", phone="13800000001", description="油污"
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "public" and case.office == world.office_b and case.reporter_phone == "13800000001"
    done = client.get(response["Location"]).content.decode()
    assert case.number in done and "西河乡河长办" in done
    assert case.photos.filter(stage="before").count() == 1


def test_location_is_taken_from_the_photos_gps_when_the_phone_gives_none(client, world, pollution):
    assert report(client, category=pollution.pk, photos=photo(gps=(114.83, 37.181))).status_code == 302
    case = Case.objects.get()
    assert abs(case.lon - 114.83) < 1e-4 and case.reach == world.reach_b


def test_report_without_photo_or_location_names_what_is_missing(client, world, pollution):
    response = client.post(reverse("public-cases:report"), {"category": pollution.pk})
    html = response.content.decode()
    assert response.status_code == 400 and "照片" in html and "位置" in html
    assert not Case.objects.exists()


def test_unknown_category_and_bad_phone_are_refused(client, world):
    response = report(client, category=999999, lon="114.83", lat="37.18", phone="12345")
    html = response.content.decode()
    assert response.status_code == 400 and "未知的问题类型" in html and "11 位" in html


def test_a_resent_report_with_the_same_client_id_makes_one_case(client, world, pollution):
    for _ in range(2):
        report(client, category=pollution.pk, lon="114.83", lat="37.181", client_id="phone-abc-1")
    assert Case.objects.count() == 1


def test_reports_from_one_phone_are_rate_limited(client, world, pollution, settings):
    settings.HEZHANG_PUBLIC_REPORTS_PER_PHONE_HOUR = 2
    codes = [
        report(client, category=pollution.pk, lon="114.83", lat="37.181", phone="13800000077").status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]


def test_nearby_open_case_of_the_same_kind_is_offered_before_submitting(client, case_b, pollution):
    body = client.get(
        reverse("public-cases:nearby"), {"lon": 114.8302, "lat": 37.1801, "category": pollution.pk}
    ).json()
    assert [c["number"] for c in body["cases"]] == [case_b.number]
    assert "13800000009" not in str(body)


def test_public_map_shows_open_red_and_fixed_green_without_names_or_phones(client, case_b, world, staff_b):
    body = client.get(reverse("public-cases:map-data")).json()
    assert [f["properties"]["fixed"] for f in body["features"]] == [False]
    text = str(body)
    assert "13800000009" not in text and "河面有油污" not in text


def follow(client, case, phone):
    return client.post(reverse("public-cases:track"), {"number": case.number, "phone": phone})


def close(world, case, staff):
    from hezhang.cases.intake import attach_photo

    perform(case, world.bob, "assign", department=world.dept_b)
    perform(case, staff, "start")
    attach_photo(case, jpeg(), "after.jpg", "after")
    perform(case, staff, "complete", note="已清除油污")
    perform(case, world.bob, "approve")
    perform(case, world.bob, "close", note="结案")


def test_reporter_follows_with_number_and_phone_rates_and_reopens_once(client, world, case_b, staff_b):
    assert follow(client, case_b, "13800000000").status_code == 400  # wrong phone
    close(world, case_b, staff_b)
    response = follow(client, case_b, "13800000009")
    page = client.get(response["Location"]).content.decode()
    assert "已结案" in page and "已清除油污" in page and "对处理结果满意吗" in page
    client.post(
        reverse("public-cases:follow-up", args=[case_b.number, "public_reopen"]), {"note": "又有油污"}
    )
    case_b.refresh_from_db()
    assert case_b.state_id == "accepted" and case_b.reopen_count == 1
    close(world, case_b, staff_b)
    client.post(reverse("public-cases:follow-up", args=[case_b.number, "rate"]), {"rating": "fair"})
    case_b.refresh_from_db()
    assert case_b.rating == "fair"
    page = client.get(reverse("public-cases:case", args=[case_b.number])).content.decode()
    assert "重新提交" not in page


def test_someone_without_the_phone_cannot_rate(client, world, case_b, staff_b):
    close(world, case_b, staff_b)
    client.post(reverse("public-cases:follow-up", args=[case_b.number, "rate"]), {"rating": "unsatisfied"})
    case_b.refresh_from_db()
    assert case_b.rating == ""


def test_public_case_page_never_shows_the_reporters_phone(client, case_b):
    html = client.get(reverse("public-cases:case", args=[case_b.number])).content.decode()
    assert "13800000009" not in html and case_b.number in html


def test_closing_sends_the_reporter_an_sms_in_the_outbox(
    world, case_b, staff_b, django_capture_on_commit_callbacks
):
    from hezhang.notifications.models import OutboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        close(world, case_b, staff_b)
    sms = OutboxMessage.objects.filter(channel="sms", to="13800000009")
    assert sms.exists() and case_b.number in sms.first().body


def test_a_reports_photo_shows_as_processing_until_the_background_job_renders_it(client, case_b):
    page = client.get(f"/public/cases/{case_b.number}/")
    assert "照片处理中" in page.content.decode() and case_b.photos.get().processing
    run_due(names=[RENDER_JOB])
    photo = case_b.photos.get()
    assert not photo.processing and photo.thumbnail and photo.public
    page = client.get(f"/public/cases/{case_b.number}/")
    assert "照片处理中" not in page.content.decode() and photo.thumbnail.url in page.content.decode()


def test_a_photo_whose_pixels_are_unreadable_keeps_its_original_and_says_why(case_b):
    photo = case_b.photos.get()
    photo.original.save("broken.jpg", ContentFile(b"\xff\xd8\xff" + b"\x00" * 100))  # e.g. damaged on disk
    render_pending()
    photo.refresh_from_db()
    assert photo.render_error and not photo.processing and not photo.thumbnail


def test_public_copies_are_served_to_anyone_but_originals_only_to_staff(client, case_b, settings):
    render_pending()
    photo = case_b.photos.get()
    public = client.get(photo.thumbnail.url)
    assert public.status_code == 200
    original = client.get(photo.original.url)
    assert original.status_code == 302 and "/accounts/login/" in original["Location"]
    body = b"".join(public.streaming_content)
    assert b"Exif" not in body[:2000]


def test_rate_windows_count_per_hour_and_old_ones_are_forgotten(world):
    from datetime import timedelta

    from django.utils import timezone

    from hezhang.cases import ratelimit
    from hezhang.cases.models import RateWindow

    now = timezone.now()
    assert [ratelimit.hit("phone:1", 2, now) for _ in range(3)] == [False, False, True]
    assert ratelimit.hit("phone:1", 2, now + timedelta(hours=1)) is False  # a new hour, a new count
    assert ratelimit.forget_old(now + timedelta(hours=3)) == 2 and not RateWindow.objects.exists()
