"""The dispatch centre and case pages as office staff and department staff use them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hezhang.cases.models import Case
from hezhang.cases.tests.conftest import jpeg


def act(client, case, action, **data):
    return client.post(reverse("cases:act", kwargs={"number": case.number, "action": action}), data)


def test_new_case_waits_in_the_township_offices_new_queue(world, login, case_b):
    html = login(world.bob).get(reverse("cases:dispatch"), {"queue": "new"}).content.decode()
    assert case_b.number in html


def test_other_township_neither_lists_nor_opens_the_case(world, login, case_b):
    client = login(world.alice)
    assert case_b.number not in client.get(reverse("cases:dispatch"), {"queue": "open"}).content.decode()
    assert client.get(reverse("cases:detail", kwargs={"number": case_b.number})).status_code == 404
    assert act(client, case_b, "accept").status_code == 404
    assert case_b.number not in client.get(reverse("cases:geojson")).content.decode()


def test_office_assigns_department_completes_with_photo_office_verifies_and_closes(
    world, login, case_b, staff_b, client
):
    office = login(world.bob)
    assert act(office, case_b, "accept").status_code == 302
    assert act(office, case_b, "assign", department=world.dept_b.pk, note="尽快处理").status_code == 302
    client.force_login(staff_b)
    mine = client.get(reverse("cases:mine")).content.decode()
    assert case_b.number in mine
    assert act(client, case_b, "start").status_code == 302
    refused = act(client, case_b, "complete", note="已清理")
    assert refused.status_code == 400  # the after photo is required
    photo = SimpleUploadedFile("after.jpg", jpeg((20, 150, 40)), content_type="image/jpeg")
    assert act(client, case_b, "complete", note="已清理", photos=photo).status_code == 302
    assert act(client, case_b, "approve").status_code == 400  # not the handler's step
    client.force_login(world.bob)
    assert act(client, case_b, "approve").status_code == 302
    assert act(client, case_b, "close").status_code == 302
    case_b.refresh_from_db()
    assert case_b.state_id == "closed" and case_b.photos.filter(stage="after").count() == 1
    page = client.get(reverse("cases:detail", kwargs={"number": case_b.number})).content.decode()
    assert "处置后" in page and "已结案" in page


def test_bulk_accept_takes_only_the_steps_allowed(world, login, case_b, pollution):
    from hezhang.cases.intake import create_case

    other, _ = create_case(category=pollution, channel="hotline", lon=114.832, lat=37.181)
    client = login(world.bob)
    client.post(reverse("cases:bulk"), {"action": "accept", "numbers": [case_b.number, other.number]})
    assert set(Case.objects.values_list("state", flat=True)) == {"accepted"}


def test_hotline_call_is_recorded_and_routed(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = login(world.county_office).post(
        reverse("cases:new"),
        {
            "channel": "hotline",
            "category": Case._meta.get_field("category").related_model.objects.get(code="illegal_fishing").pk,
            "urgency": "urgent",
            "description": "有人在桥下电鱼",
            "lon": "114.6",
            "lat": "37.118",
            "reporter_phone": "13700000000",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.office == world.office_a and case.reach == world.reach_a and case.channel == "hotline"


def test_hotline_form_without_a_location_names_the_problem(world, login):
    response = login(world.county_office).post(
        reverse("cases:new"), {"channel": "hotline", "description": "x"}
    )
    assert response.status_code == 400 and "地图上点选问题位置" in response.content.decode()


def test_a_pdf_sent_as_a_photo_is_refused_with_its_name(world, login):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    response = login(world.county_office).post(
        reverse("cases:new"),
        {
            "channel": "hotline",
            "category": Case._meta.get_field("category").related_model.objects.get(code="other").pk,
            "urgency": "normal",
            "description": "x",
            "lon": "114.6",
            "lat": "37.125",
            "photos": pdf,
        },
    )
    assert response.status_code == 400 and "report.pdf" in response.content.decode()
    assert not Case.objects.exists()


def test_chief_is_not_offered_the_intake_form(world, login):
    assert login(world.chief_a).get(reverse("cases:new")).status_code == 403


def test_township_office_adds_its_own_category_but_not_for_another_township(world, login):
    from hezhang.cases.models import CaseCategory

    client = login(world.bob)
    data = {
        "code": "ice_fishing",
        "name": "冰钓",
        "deadline_days": 3,
        "urgent_deadline_days": 1,
        "public": "on",
    }
    assert client.post(reverse("cases:categories"), {**data, "region": world.town_a.pk}).status_code == 400
    assert client.post(reverse("cases:categories"), {**data, "region": world.town_b.pk}).status_code == 302
    category = CaseCategory.objects.get(code="ice_fishing")
    assert category.region == world.town_b
    assert login(world.alice).get(reverse("cases:category", args=[category.pk])).status_code == 404


def test_township_office_hands_a_misrouted_case_up_to_the_county(world, login, case_b):
    response = login(world.bob).post(
        reverse("cases:act", kwargs={"number": case_b.number, "action": "reroute"}),
        {"office": world.office_county.pk, "note": "不在本乡辖区"},
    )
    assert response.status_code == 302
    case_b.refresh_from_db()
    assert case_b.office == world.office_county


def test_a_delegate_sees_a_case_of_their_region_without_the_reporters_or_chiefs_phones(world, login, case_b):
    from hezhang.accounts.models import Role, User

    delegate = User.objects.create_user(
        "delegate_b", password="s3cret-pass-123", role=Role.DELEGATE, region=world.town_b, name="周代表"
    )
    page = login(delegate).get(reverse("cases:detail", args=[case_b.number]))
    assert page.status_code == 200 and "13800000009" not in page.content.decode()
    assert "tel:" not in page.content.decode().split("<dl")[1].split("</dl>")[0]
    staff = login(world.county_office).get(reverse("cases:detail", args=[case_b.number])).content.decode()
    assert "13800000009" in staff
