"""What the field app needs beside the patrol: my reaches, my duties, photos and problems found on the way."""

import io

from PIL import Image

from hezhang.cases.models import Case, CaseCategory
from hezhang.patrols.models import PatrolPhoto
from hezhang.patrols.recording import start_patrol
from hezhang.patrols.tests.conftest import token_client


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "river.jpg"
    return buffer


def test_my_reaches_are_the_ones_i_answer_for_with_their_lines(world):
    body = token_client(world.chief_a).get("/api/v1/patrols/my-reaches/").json()
    assert [r["id"] for r in body["reaches"]] == [world.reach_a.pk]
    assert body["reaches"][0]["geometry"]["type"] == "LineString"


def test_duties_give_the_rule_and_my_open_cases_with_their_places(world):
    body = token_client(world.chief_a).get("/api/v1/patrols/duties/").json()
    assert "每旬" in body["rule"] and body["valid_this_month"] == 0 and body["cases"] == []


def test_a_patrol_photo_sent_twice_is_kept_once_and_a_non_image_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patrol, _ = start_patrol(world.chief_a, reaches=[world.reach_a])
    app = token_client(world.chief_a)
    url = f"/api/v1/patrols/{patrol.pk}/photos/"
    first = app.post(
        url, {"image": jpeg(), "client_id": "p-1", "lon": 114.6, "lat": 37.12}, format="multipart"
    )
    again = app.post(url, {"image": jpeg(), "client_id": "p-1"}, format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    assert PatrolPhoto.objects.get().image.name.startswith("private/")
    fake = io.BytesIO(b"%PDF-1.4" + bytes(200))
    fake.name = "doc.jpg"
    refused = app.post(url, {"image": fake, "client_id": "p-2"}, format="multipart")
    assert refused.status_code == 400 and "doc.jpg" in refused.json()["image"][0]


def test_a_problem_found_on_patrol_becomes_a_routed_case_linked_to_the_patrol_once(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patrol, _ = start_patrol(world.chief_a, reaches=[world.reach_a])
    category = CaseCategory.objects.get(region=None, code="bank_garbage")
    app = token_client(world.chief_a)
    data = {
        "category": category.pk,
        "lon": 114.6,
        "lat": 37.117,
        "client_id": "case-1",
        "description": "建筑垃圾",
    }
    first = app.post(f"/api/v1/patrols/{patrol.pk}/cases/", {**data, "photos": jpeg()}, format="multipart")
    again = app.post(f"/api/v1/patrols/{patrol.pk}/cases/", data, format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    case = Case.objects.get()
    assert case.channel == "patrol" and case.office == world.office_a and case.photos.count() == 1
    assert list(patrol.cases.all()) == [case]


def test_someone_elses_patrol_takes_no_photos_or_cases_from_me(world):
    patrol, _ = start_patrol(world.chief_a, reaches=[world.reach_a])
    other = token_client(world.chief_b)
    assert other.post(f"/api/v1/patrols/{patrol.pk}/photos/", {}, format="multipart").status_code == 404
    assert other.post(f"/api/v1/patrols/{patrol.pk}/cases/", {}, format="multipart").status_code == 404


def test_the_field_app_page_manifest_icon_and_service_worker_are_served(client, world):
    assert client.get("/patrols/app/").status_code == 302  # log in first
    client.force_login(world.chief_a)
    page = client.get("/patrols/app/").content.decode()
    assert "开始巡河" in page and "熄屏" in page and 'rel="manifest"' in page
    manifest = client.get("/patrols/app/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/patrols/app/"
    icon = client.get("/patrols/app/icon-192.png")
    assert icon["Content-Type"] == "image/png" and Image.open(io.BytesIO(icon.content)).size == (192, 192)
    worker = client.get("/patrols/app/sw.js")
    assert worker["Content-Type"] == "application/javascript" and b"hezhang/field.js" in worker.content


def test_the_office_sees_the_patrols_photos_on_its_page(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patrol, _ = start_patrol(world.chief_a, reaches=[world.reach_a])
    token_client(world.chief_a).post(
        f"/api/v1/patrols/{patrol.pk}/photos/", {"image": jpeg(), "client_id": "p-9"}, format="multipart"
    )
    client.force_login(world.alice)
    page = client.get(f"/patrols/{patrol.pk}/").content.decode()
    assert PatrolPhoto.objects.get().image.url in page
