"""OGC API – Features: landing, conformance, collections, items with bbox/limit/paging/datetime, single items,
public versus staff collections, jurisdiction, and refusals."""

import base64

import pytest
from django.utils import timezone

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, response.json()


def test_the_landing_page_links_conformance_collections_and_the_api(client, world):
    response, body = get(client, "/ogc/")
    assert response["Content-Type"] == "application/json"
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    _, conf = get(client, "/ogc/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf["conformsTo"]
    _, api = get(client, "/ogc/api")
    assert "/collections/{collectionId}/items" in api["paths"]


def test_anonymous_users_see_only_the_public_collections_with_their_extent(client, world):
    _, body = get(client, "/ogc/collections")
    ids = [c["id"] for c in body["collections"]]
    assert "reaches" in ids and "public-cases" in ids and "cases" not in ids and "assets" not in ids
    reaches = next(c for c in body["collections"] if c["id"] == "reaches")
    west, south, east, north = reaches["extent"]["spatial"]["bbox"][0]
    assert (west, south, east, north) == (114.55, 37.1, 114.9, 37.2)


def test_items_page_through_a_collection_with_next_and_prev_links(client, world):
    response, first = get(client, "/ogc/collections/reaches/items?limit=1")
    assert response["Content-Type"] == "application/geo+json"
    assert first["numberMatched"] == 2 and first["numberReturned"] == 1
    assert first["features"][0]["id"] == world.reach_a.code
    assert first["features"][0]["geometry"]["type"] == "LineString"
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    _, second = get(client, nxt)
    assert second["features"][0]["id"] == world.reach_b.code
    assert not [link for link in second["links"] if link["rel"] == "next"]
    assert [link for link in second["links"] if link["rel"] == "prev"]


def test_bbox_keeps_only_what_it_touches(client, world):
    _, body = get(client, "/ogc/collections/reaches/items?bbox=114.5,37.0,114.72,37.2")
    assert [f["id"] for f in body["features"]] == [world.reach_a.code]
    _, none = get(client, "/ogc/collections/reaches/items?bbox=100,30,101,31")
    assert none["numberMatched"] == 0 and none["features"] == []


def test_a_single_item_and_an_unknown_one(client, world):
    response, feature = get(client, f"/ogc/collections/reaches/items/{world.reach_b.code}")
    assert response.status_code == 200 and feature["properties"]["name"] == "清水河西河段"
    missing, error = get(client, "/ogc/collections/reaches/items/NOPE")
    assert missing.status_code == 404 and error["code"] == "NotFound"
    assert client.get("/ogc/collections/nothing").status_code == 404


def test_bad_parameters_are_refused_with_a_reason(client, world):
    for query in ("bbox=1,2,3", "limit=abc", "limit=0", "offset=-1", "foo=1", "datetime=2026-01-01", "f=xml"):
        response, body = get(client, f"/ogc/collections/reaches/items?{query}")
        assert response.status_code == 400 and body["code"] == "InvalidParameterValue", query
    response, _ = get(
        client, "/ogc/collections/reaches/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490"
    )
    assert response.status_code == 400


def report(world, lon=114.83, lat=37.18, phone="13800000009"):
    case, _ = create_case(
        category=CaseCategory.objects.get(region=None, code="water_pollution"),
        channel="public",
        lon=lon,
        lat=lat,
        reporter_phone=phone,
        reporter_name="王先生",
    )
    return case


def test_public_cases_never_carry_the_reporters_name_or_phone_and_filter_by_datetime(client, world):
    case = report(world)
    response = client.get("/ogc/collections/public-cases/items")
    assert case.number in response.content.decode()
    assert "13800000009" not in response.content.decode() and "王先生" not in response.content.decode()
    day = timezone.localtime(case.created_at).date().isoformat()  # a day of the platform's time zone
    _, today = get(client, f"/ogc/collections/public-cases/items?datetime={day}")
    _, interval = get(client, "/ogc/collections/public-cases/items?datetime=../2020-01-01T00:00:00Z")
    assert today["numberMatched"] == 1 and interval["numberMatched"] == 0


def test_staff_collections_ask_for_a_login_and_answer_only_the_users_jurisdiction(client, world):
    case_b = report(world)
    report(world, lon=114.6, lat=37.12, phone="13800000008")  # in 东坝镇
    response = client.get("/ogc/collections/cases/items")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    basic = "Basic " + base64.b64encode(b"bob:s3cret-pass-123").decode()
    _, body = get(client, "/ogc/collections/cases/items", HTTP_AUTHORIZATION=basic)
    assert [f["id"] for f in body["features"]] == [case_b.number]
    wrong = "Basic " + base64.b64encode(b"bob:wrong").decode()
    assert client.get("/ogc/collections/cases/items", HTTP_AUTHORIZATION=wrong).status_code == 401
    client.force_login(world.carol if hasattr(world, "carol") else world.county_office)
    _, county = get(client, "/ogc/collections/cases/items")
    assert county["numberMatched"] == 2
