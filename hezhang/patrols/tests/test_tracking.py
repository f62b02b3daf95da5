"""Traccar-style trackers (OsmAnd protocol), GPX in and out, the office's pages and the dispute command."""

import datetime
import io
import json

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hezhang.patrols.gpx import read_gpx, write_gpx
from hezhang.patrols.models import Patrol
from hezhang.patrols.tests.conftest import token_client, walk
from hezhang.patrols.tracking import end_idle_tracker_patrols, tracker_for


def line(world):
    return world.reach_a.geometry["coordinates"]


def test_a_tracker_fills_a_patrol_that_ends_itself_when_the_tracker_falls_silent(client, world, lenient_rule):
    device = tracker_for(world.chief_a).device_id
    points = walk(line(world), 0.1, 0.3, speed=1.4, step_s=10)
    for p in points[::2]:  # the GET form, speed in knots
        answer = client.get(
            "/api/osmand/",
            {"id": device, "timestamp": int(p.t), "lat": p.lat, "lon": p.lon, "speed": 2.7, "accuracy": 8},
        )
        assert answer.status_code == 200
    for p in points[1::2]:  # the JSON body of newer Traccar Client versions
        body = {
            "device_id": device,
            "location": {
                "timestamp": datetime.datetime.fromtimestamp(p.t, tz=datetime.UTC).isoformat(),
                "coords": {"latitude": p.lat, "longitude": p.lon, "accuracy": 8, "speed": 1.4},
            },
        }
        assert (
            client.post("/api/osmand/", json.dumps(body), content_type="application/json").status_code == 200
        )
    patrol = Patrol.objects.get()
    assert patrol.source == "tracker" and patrol.is_open
    client.get(
        "/api/osmand/",
        {"id": device, "timestamp": int(points[0].t), "lat": points[0].lat, "lon": points[0].lon},
    )
    assert end_idle_tracker_patrols(timezone.now()) == 0  # heard from a moment ago
    assert end_idle_tracker_patrols(timezone.now() + datetime.timedelta(hours=4)) == 1
    patrol.refresh_from_db()
    assert patrol.point_count == len(points)  # the resent first point is there once
    assert list(patrol.reaches.all()) == [world.reach_a]  # found from the chief's own reaches near the track
    assert patrol.coverage > 0.18 and patrol.distance_m > 2500


def test_an_unknown_device_or_a_malformed_point_is_refused_with_a_reason(client, world):
    device = tracker_for(world.chief_a).device_id
    assert client.get("/api/osmand/", {"id": "nobody", "lat": 37.1, "lon": 114.6}).status_code == 404
    bad = client.get("/api/osmand/", {"id": device, "lat": 137.1, "lon": 114.6})
    assert bad.status_code == 400 and b"137.1" in bad.content
    assert not Patrol.objects.exists()


def test_a_gpx_file_becomes_an_ended_scored_patrol_and_exports_back(client, world, lenient_rule):
    points = walk(line(world), 0.1, 0.3, speed=1.4, step_s=10, t0=timezone.now().timestamp() - 86400)
    upload = io.BytesIO(write_gpx(points, name="昨天的巡河"))
    upload.name = "walk.gpx"
    answer = token_client(world.chief_a).post(
        "/api/v1/patrols/import-gpx/", {"file": upload, "reaches": [world.reach_a.pk]}, format="multipart"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["is_valid"] is False and "未填写巡查清单（巡而不查）" in answer.json()["reasons"]
    patrol = Patrol.objects.get()
    assert patrol.source == "gpx" and not patrol.is_open and patrol.point_count == len(points)
    client.force_login(world.alice)
    exported = client.get(f"/patrols/{patrol.pk}/gpx/")
    assert exported.status_code == 200 and exported["Content-Type"] == "application/gpx+xml"
    back = read_gpx(exported.content)
    assert len(back) == len(points) and abs(back[-1].lat - points[-1].lat) < 1e-6


def test_a_broken_gpx_file_is_refused_with_its_line(world):
    upload = io.BytesIO(b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg><trkpt lat="x" lon="1">')
    upload.name = "bad.gpx"
    answer = token_client(world.chief_a).post(
        "/api/v1/patrols/import-gpx/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 400 and "file" in answer.json()
    assert not Patrol.objects.exists()


def test_the_office_sees_the_patrol_with_its_map_and_reasons_and_other_townships_do_not(client, world):
    from hezhang.patrols.recording import import_points

    patrol = import_points(world.chief_a, walk(line(world), 0.1, 0.12), reaches=[world.reach_a])
    client.force_login(world.alice)
    listing = client.get("/patrols/").content.decode()
    assert f"/patrols/{patrol.pk}/" in listing and "无效" in listing
    page = client.get(f"/patrols/{patrol.pk}/").content.decode()
    assert "不计为有效巡河的原因" in page and "少于要求的 20 分钟" in page and 'id="patrol-map"' in page
    client.force_login(world.bob)
    assert client.get(f"/patrols/{patrol.pk}/").status_code == 404
    assert f"/patrols/{patrol.pk}/" not in client.get("/patrols/").content.decode()


def test_the_tracker_page_gives_the_server_and_a_device_id(client, world):
    client.force_login(world.chief_a)
    page = client.get("/patrols/tracker/").content.decode()
    assert tracker_for(world.chief_a).device_id in page and "/api/osmand/" in page and "熄屏" in page


def test_the_dispute_command_prints_the_verdict_as_json(tmp_path, world):
    points = walk(line(world), 0.1, 0.3, speed=1.4, step_s=10)
    (tmp_path / "reach.geojson").write_text(
        json.dumps({"type": "Feature", "geometry": world.reach_a.geometry})
    )
    (tmp_path / "track.gpx").write_bytes(write_gpx(points, name="争议巡河"))
    out = io.StringIO()
    call_command(
        "patrol",
        "score",
        "--reach",
        str(tmp_path / "reach.geojson"),
        "--track",
        str(tmp_path / "track.gpx"),
        stdout=out,
    )
    verdict = json.loads(out.getvalue())
    assert 0.18 < verdict["coverage"] < 0.22 and verdict["valid"] is False
    assert [r["code"] for r in verdict["reasons"]] == ["low_coverage"]
    assert verdict["covered_intervals_m"][0][0] < verdict["covered_intervals_m"][0][1]


def test_the_dispute_command_names_an_unreadable_file(tmp_path):
    (tmp_path / "reach.geojson").write_text("{}")
    try:
        call_command(
            "patrol", "score", "--reach", str(tmp_path / "reach.geojson"), "--track", str(tmp_path / "x.gpx")
        )
    except CommandError as exc:
        assert "x.gpx" in str(exc)
    else:
        raise AssertionError("expected a CommandError")


def test_rescoring_applies_a_changed_rule_to_history(world, lenient_rule):
    from hezhang.patrols.recording import import_points

    patrol = import_points(
        world.chief_a, walk(line(world), 0.1, 0.3, speed=1.4, step_s=10), reaches=[world.reach_a]
    )
    assert patrol.is_valid is False  # no checklist
    lenient_rule.require_checklist = False
    lenient_rule.save()
    call_command(
        "patrol", "rescore", "--region", world.county.code, stdout=io.StringIO(), stderr=io.StringIO()
    )
    patrol.refresh_from_db()
    assert patrol.is_valid is True and patrol.reasons == []


def test_a_lake_zone_reach_is_patrolled_along_its_shore(world):
    from hezhang.patrols.recording import import_points, responsible_reaches
    from hezhang.registry.models import ChiefAssignment, Reach

    ring = [[114.8, 37.3], [114.81, 37.3], [114.81, 37.31], [114.8, 37.31], [114.8, 37.3]]
    zone = Reach.objects.create(
        water_body=world.pond_b,
        region=world.town_b,
        name="西河塘岸线",
        code="POND-B-1",
        geometry={"type": "Polygon", "coordinates": [ring]},
    )
    ChiefAssignment.objects.create(
        chief=world.chief_b, water_body=world.pond_b, reach=zone, region=world.town_b, level=4
    )
    assert zone in responsible_reaches(world.chief_b)
    patrol = import_points(world.chief_b, walk(ring, 0.0, 0.5, speed=1.4, step_s=10))  # no reach given: found
    assert list(patrol.reaches.all()) == [zone] and 0.45 < patrol.coverage < 0.55
    from hezhang.patrols.presenting import patrol_detail

    kinds = [f["properties"]["kind"] for f in patrol_detail(patrol)["map"]["features"]]
    assert kinds == ["track", "walked", "missed"]
