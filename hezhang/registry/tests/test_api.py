"""The REST API: token auth, the list page's filters, field-level 400s, the OpenAPI schema."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hezhang.registry import models as m


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_token_user_lists_reaches_of_their_jurisdiction(world):
    body = token_client(world.alice).get("/api/v1/reaches/").json()
    assert [r["code"] for r in body["results"]] == ["ABA10000000L-001"]
    assert body["count"] == 1


def test_api_uses_the_same_filters_as_the_list_page(world):
    client = token_client(world.county_office)
    codes = lambda params: [r["code"] for r in client.get("/api/v1/reaches/", params).json()["results"]]  # noqa: E731
    assert codes({"region": world.town_b.pk}) == ["ABA10000000L-002"]
    assert codes({"q": "东坝"}) == ["ABA10000000L-001"]
    kinds = [w["kind"] for w in client.get("/api/v1/water-bodies/", {"kind": "pond"}).json()["results"]]
    assert kinds == ["pond"]


def test_bad_input_answers_400_with_field_messages(world):
    response = token_client(world.bob).post(
        "/api/v1/reaches/",
        {
            "water_body": world.river.pk,
            "region": world.town_b.pk,
            "name": "",
            "code": "ABA10000000L-001",
            "geometry": {"type": "LineString", "coordinates": [[114.8, 37.2]]},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"name", "code", "geometry"}
    assert "两个" in errors["geometry"][0]


def test_created_through_the_api_with_bd09_coordinates_is_stored_as_wgs84(world):
    from hezhang.geo.coords import wgs84_to_bd09

    lon, lat = wgs84_to_bd09(114.86, 37.22)
    response = token_client(world.bob).post(
        "/api/v1/outfalls/",
        {
            "code": "OUT-B-7",
            "name": "新排口",
            "kind": "rain",
            "water_body": world.river.pk,
            "region": world.town_b.pk,
            "crs": "bd09",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    stored = m.Outfall.objects.get(code="OUT-B-7").geometry["coordinates"]
    assert abs(stored[0] - 114.86) < 1e-5 and abs(stored[1] - 37.22) < 1e-5


def test_assignment_dates_must_be_in_order(world):
    response = token_client(world.bob).post(
        "/api/v1/assignments/",
        {
            "chief": world.chief_b.pk,
            "water_body": world.river.pk,
            "reach": world.reach_b.pk,
            "region": world.town_b.pk,
            "level": 4,
            "start_date": "2025-05-01",
            "end_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "end_date" in response.json()


def test_api_change_is_recorded_as_coming_from_the_api(world):
    from hezhang.history.models import Change

    token_client(world.bob).patch(
        f"/api/v1/offices/{world.office_b.pk}/", {"phone": "0319-5559999"}, format="json"
    )
    change = Change.objects.filter(object_id=str(world.office_b.pk), action="update").latest("at")
    assert change.changes["phone"] == ["0319-5550122", "0319-5559999"]
    assert change.source == "api" and change.actor == world.bob


def test_password_is_never_returned_by_the_users_endpoint(world):
    body = token_client(world.county_office).get("/api/v1/users/").json()
    assert body["results"] and all("password" not in row for row in body["results"])


def test_openapi_schema_describes_every_registry_endpoint(world, client):
    client.force_login(world.admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for slug in ("regions", "water-bodies", "reaches", "assignments", "users", "outfalls"):
        assert f"/api/v1/{slug}/" in schema["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_deleting_a_reach_that_chiefs_answer_for_is_refused_with_409(world):
    response = token_client(world.bob).delete(f"/api/v1/reaches/{world.reach_b.pk}/")
    assert response.status_code == 409 and "河长任命" in response.json()["detail"]
    assert m.Reach.objects.filter(pk=world.reach_b.pk).exists()
