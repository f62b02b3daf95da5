"""The cases REST API: the whole path by token, every refusal's status, scoping, public reports and the schema."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hezhang.cases.intake import create_case, render_pending
from hezhang.cases.models import Case, CaseEvent

PHONE = "13800000009"  # case_b's reporter


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def upload(name="after.jpg", data=None, gps=None):
    if data is None:
        image = Image.new("RGB", (80, 60), (30, 160, 60))
        exif = Image.Exif()
        if gps:
            lon, lat = gps
            exif[0x8825] = {1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)}
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", exif=exif)
        data = buffer.getvalue()
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _dms(value):
    d = int(value)
    m = int((value - d) * 60)
    return (float(d), float(m), round(((value - d) * 60 - m) * 60, 2))


def act(client, case, action, fmt="json", **data):
    return client.post(f"/api/v1/cases/{case.number}/actions/{action}/", data, format=fmt)


def state_of(case):
    return Case.objects.get(pk=case.pk).state_id


# --- staff: the whole path -------------------------------------------------------------------------------


def test_a_public_report_is_handled_to_closed_entirely_through_the_api(world, case_b, staff_b):
    bob, dana = token_client(world.bob), token_client(staff_b)

    listed = bob.get("/api/v1/cases/").json()
    assert [row["number"] for row in listed["results"]] == [case_b.number] and listed["count"] == 1
    row = listed["results"][0]
    assert row["state"] == {"code": "reported", "label": "待受理", "is_open": True, "is_fixed": False}
    assert row["office"]["name"] == "西河乡河长办" and row["reach"]["code"] == "ABA10000000L-002"
    assert row["time_to_accept_hours"] is None and row["overdue"] is False

    detail = bob.get(f"/api/v1/cases/{case_b.number}/").json()
    assert detail["reporter_phone"] == PHONE  # staff call the reporter back
    assert {"accept", "assign", "reject", "merge"} <= {a["action"] for a in detail["allowed_actions"]}
    assert [e["action"] for e in detail["events"]] == ["report"]
    assert detail["photos"][0]["stage"] == "before" and detail["photos"][0]["processing"] is True
    assert detail["photos"][0]["thumbnail"] is None  # rendered by the background job, a moment later
    assert render_pending() == 1
    photo = bob.get(f"/api/v1/cases/{case_b.number}/").json()["photos"][0]
    assert photo["processing"] is False and photo["thumbnail"].startswith("http")

    assert act(bob, case_b, "accept").status_code == 200
    deadline = (timezone.localtime() + datetime.timedelta(days=3)).replace(microsecond=0)
    response = act(
        bob, case_b, "assign", department=world.dept_b.pk, deadline=deadline.isoformat(), note="请处理"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["event"]["action"] == "assign" and body["case"]["state"]["code"] == "assigned"
    assert body["case"]["department"]["id"] == world.dept_b.pk
    assert datetime.datetime.fromisoformat(body["case"]["deadline"]) == deadline

    # dana's department now holds the case, so she sees it and may start it.
    assert [r["number"] for r in dana.get("/api/v1/cases/").json()["results"]] == [case_b.number]
    assert [a["action"] for a in dana.get(f"/api/v1/cases/{case_b.number}/").json()["allowed_actions"]] == [
        "start",
        "send_back",
        "complete",
        "extend_request",
    ]
    assert act(dana, case_b, "start").status_code == 200
    assert act(dana, case_b, "progress", note="已联系保洁").status_code == 200
    response = act(dana, case_b, "complete", fmt="multipart", note="油污已清除", photos=[upload()])
    assert response.status_code == 200
    assert sorted(p["stage"] for p in response.json()["case"]["photos"]) == ["after", "before"]
    assert act(bob, case_b, "approve").status_code == 200
    assert act(bob, case_b, "close", note="结案").status_code == 200

    closed = bob.get(f"/api/v1/cases/{case_b.number}/").json()
    assert closed["state"]["code"] == "closed" and closed["allowed_actions"] == [
        {"action": "reopen", "label": "重新打开", "needs_note": True, "fields": ["note"]}
    ]
    actions = [e["action"] for e in closed["events"]]
    assert actions == ["report", "accept", "assign", "start", "progress", "complete", "approve", "close"]
    assert closed["events"][2]["actor"]["username"] == "bob"
    row = bob.get("/api/v1/cases/", {"queue": "closed"}).json()["results"][0]
    assert row["time_to_accept_hours"] >= 0 and row["time_to_close_hours"] >= row["time_to_accept_hours"]
    assert row["overdue"] is False and row["closed_at"] and row["accepted_at"]


def test_session_users_use_the_api_too(world, case_b, client):
    client.force_login(world.bob)
    assert client.get("/api/v1/cases/").json()["count"] == 1


def test_the_figures_say_a_case_was_handled_late(world, case_b, staff_b):
    bob = token_client(world.bob)
    act(bob, case_b, "assign", department=world.dept_b.pk)
    Case.objects.filter(pk=case_b.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    row = bob.get("/api/v1/cases/").json()["results"][0]
    assert row["overdue"] is True and row["is_overdue"] is True
    assert bob.get("/api/v1/cases/", {"queue": "overdue"}).json()["count"] == 1


# --- every kind of refusal -------------------------------------------------------------------------------


def test_a_step_the_state_does_not_allow_answers_409(world, case_b):
    response = act(token_client(world.bob), case_b, "close")
    assert response.status_code == 409 and "待受理" in response.json()["detail"]
    assert state_of(case_b) == "reported"


def test_a_step_that_is_not_the_users_answers_403(world, case_b, staff_b):
    bob = token_client(world.bob)
    act(bob, case_b, "accept")
    # Supervision is for an office above the case's own: bob holds it, carol (the county) is above.
    response = act(bob, case_b, "supervise", note="抓紧")
    assert response.status_code == 403 and "无权" in response.json()["detail"]
    assert act(token_client(world.county_office), case_b, "supervise", note="抓紧").status_code == 200
    act(bob, case_b, "assign", department=world.dept_b.pk)
    assert act(bob, case_b, "start").status_code == 403  # only the department it is assigned to starts it
    assert act(token_client(staff_b), case_b, "approve").status_code == 409  # not completed yet
    assert act(token_client(staff_b), case_b, "transfer", note="x").status_code == 403


def test_the_reporters_steps_are_not_staff_steps(world, case_b, staff_b):
    from hezhang.cases.tests.test_public import close

    close(world, case_b, staff_b)
    assert act(token_client(world.bob), case_b, "rate", rating="fair").status_code == 403


def test_a_second_extension_request_while_one_is_pending_answers_409(world, case_b, staff_b):
    act(token_client(world.bob), case_b, "assign", department=world.dept_b.pk)
    dana = token_client(staff_b)
    later = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    assert act(dana, case_b, "extend_request", deadline=later, note="需要更多时间").status_code == 200
    response = act(dana, case_b, "extend_request", deadline=later, note="再申请")
    assert response.status_code == 409 and "待审批" in response.json()["detail"]


def test_bad_input_answers_400_with_field_messages(world, case_b, staff_b):
    bob = token_client(world.bob)
    response = act(bob, case_b, "reject")
    assert response.status_code == 400 and "说明" in response.json()["note"][0]
    # dept_a is 东坝镇's, outside bob's jurisdiction: as if it did not exist.
    response = act(bob, case_b, "assign", department=world.dept_a.pk)
    assert response.status_code == 400 and "department" in response.json()
    response = act(bob, case_b, "assign")
    assert response.status_code == 400 and "交办对象" in response.json()["non_field_errors"][0]
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = act(bob, case_b, "assign", department=world.dept_b.pk, deadline=past)
    assert response.status_code == 400 and "晚于现在" in response.json()["non_field_errors"][0]
    response = act(bob, case_b, "assign", department=world.dept_b.pk, deadline="next tuesday")
    assert response.status_code == 400 and "deadline" in response.json()
    assert state_of(case_b) == "reported"

    act(bob, case_b, "assign", department=world.dept_b.pk)
    dana = token_client(staff_b)
    act(dana, case_b, "start")
    response = act(dana, case_b, "complete", fmt="multipart", note="好了")
    assert response.status_code == 400 and "photos" in response.json()
    bad = upload("after.jpg", data=b"not a photo at all")
    response = act(dana, case_b, "complete", fmt="multipart", note="好了", photos=[bad])
    assert response.status_code == 400 and response.json()["photos"]
    assert state_of(case_b) == "in_progress" and not case_b.photos.filter(stage="after").exists()
    response = act(bob, case_b, "long_term", note="跨年工程", target_date="2001-01-01")
    assert response.status_code == 400 and "目标日期" in response.json()["target_date"][0]


def test_merging_names_only_cases_the_user_can_see(world, case_b, pollution):
    other_b, _ = create_case(category=pollution, channel="hotline", lon=114.84, lat=37.182)
    case_a, _ = create_case(category=pollution, channel="hotline", lon=114.6, lat=37.12)
    bob = token_client(world.bob)
    response = act(bob, case_b, "merge", duplicate_of=case_a.number)
    assert response.status_code == 400 and case_a.number in response.json()["duplicate_of"][0]
    response = act(bob, case_b, "merge", duplicate_of=other_b.number)
    assert response.status_code == 200 and response.json()["case"]["duplicate_of"] == other_b.number


def test_unknown_steps_and_cases_answer_404(world, case_b):
    bob = token_client(world.bob)
    assert act(bob, case_b, "teleport").status_code == 404
    assert bob.get("/api/v1/cases/000000-000000-0000/").status_code == 404


def test_anonymous_callers_are_refused(case_b):
    client = APIClient()
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert act(client, case_b, "accept").status_code in (401, 403)


# --- scoping ---------------------------------------------------------------------------------------------


def test_alice_of_another_township_never_sees_case_b(world, case_b):
    alice = token_client(world.alice)
    assert alice.get("/api/v1/cases/").json()["count"] == 0
    assert alice.get(f"/api/v1/cases/{case_b.number}/").status_code == 404
    assert act(alice, case_b, "accept").status_code == 404
    assert state_of(case_b) == "reported"


def test_the_county_sees_its_townships_cases_with_the_dispatch_filters(world, case_b, pollution):
    create_case(category=pollution, channel="hotline", lon=114.6, lat=37.12)
    carol = token_client(world.county_office)
    numbers = lambda params: [r["number"] for r in carol.get("/api/v1/cases/", params).json()["results"]]  # noqa: E731
    assert len(numbers({})) == 2
    assert numbers({"region": world.town_b.pk}) == [case_b.number]
    assert numbers({"channel": "public"}) == [case_b.number]
    assert numbers({"q": case_b.number}) == [case_b.number]
    assert len(numbers({"queue": "new"})) == 2 and numbers({"queue": "closed"}) == []
    # A region outside the user's jurisdiction is not a valid choice.
    assert token_client(world.bob).get("/api/v1/cases/", {"region": world.town_a.pk}).status_code == 400


def test_assigning_resolves_ids_within_the_jurisdiction_only(world, case_b):
    response = act(token_client(world.bob), case_b, "assign", handling_office=world.office_a.pk)
    assert response.status_code == 400 and "handling_office" in response.json()


# --- staff intake ----------------------------------------------------------------------------------------


def intake(client, fmt="json", **data):
    payload = {
        "channel": "hotline",
        "category": data.pop("category"),
        "description": "群众来电：河边堆放垃圾",
        "lon": 114.85,
        "lat": 37.18,
        **data,
    }
    return client.post("/api/v1/cases/", payload, format=fmt)


def test_staff_record_a_hotline_case_with_a_client_id_once(world, pollution):
    bob = token_client(world.bob)
    response = intake(
        bob, category=pollution.pk, reporter_name="王先生", reporter_phone="13700000001", client_id="h-1"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "hotline" and body["office"]["name"] == "西河乡河长办"
    assert body["reporter_phone"] == "13700000001" and body["reporter"]["username"] == "bob"
    again = intake(bob, category=pollution.pk, client_id="h-1")
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    assert Case.objects.count() == 1
    # Another user's retry with a client id already taken by a case they cannot see learns nothing of it.
    assert intake(token_client(world.alice), category=pollution.pk, client_id="h-1").status_code == 409


def test_intake_converts_map_coordinates_to_wgs84(world, pollution):
    from hezhang.geo.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(114.85, 37.18)
    response = intake(token_client(world.bob), category=pollution.pk, lon=lon, lat=lat, crs="gcj02")
    assert response.status_code == 201
    case = Case.objects.get()
    assert abs(case.lon - 114.85) < 1e-5 and abs(case.lat - 37.18) < 1e-5


def test_intake_with_photos_and_its_refusals(world, pollution, staff_b):
    bob = token_client(world.bob)
    response = intake(bob, fmt="multipart", category=pollution.pk, photos=[upload("scene.jpg")])
    assert response.status_code == 201 and [p["stage"] for p in response.json()["photos"]] == ["before"]
    bad = intake(bob, fmt="multipart", category=pollution.pk, photos=[upload("x.jpg", data=b"nope")])
    assert bad.status_code == 400 and bad.json()["photos"]
    response = bob.post("/api/v1/cases/", {"channel": "public", "lat": 95}, format="json")
    assert response.status_code == 400
    assert {"channel", "category", "description", "lon", "lat"} <= set(response.json())
    assert intake(token_client(staff_b), category=pollution.pk).status_code == 403
    assert Case.objects.count() == 1


# --- the public ------------------------------------------------------------------------------------------


def public_client():
    return APIClient(enforce_csrf_checks=True)


def test_public_report_as_json_is_idempotent_by_client_id(world, pollution):
    client = public_client()
    payload = {
        "category": pollution.pk,
        "lon": 114.83,
        "lat": 37.181,
        "phone": "13800000001",
        "client_id": "p-1",
    }
    first = client.post("/api/v1/public/reports/", payload, format="json")
    assert first.status_code == 201
    body = first.json()
    assert body["office"] == "西河乡河长办" and body["tracking_url"].endswith(
        f"/public/cases/{body['number']}/"
    )
    again = client.post("/api/v1/public/reports/", payload, format="json")
    assert again.status_code == 200 and again.json() == body
    case = Case.objects.get()
    assert case.channel == "public" and case.reporter_phone == "13800000001" and case.photos.count() == 0


def test_public_report_with_a_photo_is_placed_by_its_gps(world, pollution):
    response = public_client().post(
        "/api/v1/public/reports/",
        {"category": pollution.pk, "photos": [upload("river.jpg", gps=(114.83, 37.181))]},
        format="multipart",
    )
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()["number"])
    assert case.reach == world.reach_b and case.photos.filter(stage="before").count() == 1


def test_public_report_is_validated_as_on_the_page(world, pollution):
    client = public_client()
    response = client.post("/api/v1/public/reports/", {"category": pollution.pk}, format="json")
    assert response.status_code == 400 and "位置" in response.json()["location"][0]
    response = client.post(
        "/api/v1/public/reports/",
        {"category": 999999, "phone": "12345", "lon": 114.83, "lat": 37.18},
        format="json",
    )
    errors = response.json()
    assert (
        response.status_code == 400
        and "未知的问题类型" in errors["category"][0]
        and "11 位" in errors["phone"][0]
    )
    response = client.post(
        "/api/v1/public/reports/", {"category": pollution.pk, "lon": 2.35, "lat": 48.85}, format="json"
    )
    assert response.status_code == 400 and "中国" in response.json()["location"][0]
    response = client.post("/api/v1/public/reports/", [1, 2], format="json")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_public_reports_share_the_pages_rate_limit(world, pollution, settings):
    settings.HEZHANG_PUBLIC_REPORTS_PER_PHONE_HOUR = 2
    payload = {"category": pollution.pk, "lon": 114.83, "lat": 37.181, "phone": "13800000078"}
    codes = [
        public_client().post("/api/v1/public/reports/", payload, format="json").status_code for _ in range(3)
    ]
    assert codes == [201, 201, 429]


def test_public_case_view_shows_progress_but_no_phone_names_or_description(world, case_b, staff_b):
    from hezhang.cases.tests.test_public import close

    CaseEvent.objects.filter(case=case_b).update(note="河面有油污")  # the report's own words stay private
    close(world, case_b, staff_b)
    response = public_client().get(f"/api/v1/public/cases/{case_b.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == "水体污染" and body["place"] == "清水河西河段"
    assert body["state"]["code"] == "closed" and body["state"]["is_fixed"] is True
    labels = [e["label"] for e in body["events"]]
    assert labels == ["上报", "交办", "签收处置", "办结", "结案"]
    notes = {e["action"]: e["note"] for e in body["events"]}
    assert notes["complete"] == "已清除油污" and notes["report"] == ""
    assert sorted(p["stage"] for p in body["photos"]) == ["after", "before"]
    text = str(body)
    for private in (PHONE, "河面有油污", "钱乡长", "dana", "bob", "西河王", "13900000002"):
        assert private not in text
    assert public_client().get("/api/v1/public/cases/nope/").status_code == 404


# --- the schema ------------------------------------------------------------------------------------------


def test_schema_describes_the_case_endpoints(world, client):
    client.force_login(world.admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for route in (
        "/api/v1/cases/",
        "/api/v1/cases/{number}/",
        "/api/v1/cases/{number}/actions/{action}/",
        "/api/v1/public/reports/",
        "/api/v1/public/cases/{number}/",
    ):
        assert route in schema["paths"]
    act_op = schema["paths"]["/api/v1/cases/{number}/actions/{action}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(act_op["responses"])
    assert "multipart/form-data" in act_op["requestBody"]["content"]
    assert "/api/v1/reaches/" in schema["paths"]  # the registry's endpoints are still there


def test_the_case_endpoints_generate_their_schema_without_warnings(db):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    patterns = [path("api/v1/", include(("hezhang.cases.api_urls", "cases-api"), namespace="cases-api"))]
    schema = SchemaGenerator(patterns=patterns, api_version="v1").get_schema(request=None, public=True)
    assert len(schema["paths"]) == 5
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
