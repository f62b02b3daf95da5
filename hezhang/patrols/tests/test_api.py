"""The field app's patrol API: start, batches of points, end with the checklist, the verdict; refusals."""

import time

from hezhang.patrols.models import Patrol, PatrolPoint
from hezhang.patrols.recording import track_points
from hezhang.patrols.tests.conftest import as_json, token_client, walk


def reach_line(world):
    return world.reach_a.geometry["coordinates"]


def start(client, **data):
    data.setdefault("started_at", time.time() - 3 * 3600)  # the walks below begin three hours ago
    return client.post("/api/v1/patrols/", data, format="json")


def test_a_chief_walks_a_reach_in_batches_and_gets_a_valid_verdict(world, lenient_rule):
    app = token_client(world.chief_a)
    started = start(app, client_id="phone-1-patrol-1", reaches=[world.reach_a.pk])
    assert started.status_code == 201
    pk = started.json()["id"]
    points = as_json(walk(reach_line(world), 0.1, 0.3, speed=1.4))
    for i in range(0, len(points), 100):
        answer = app.post(f"/api/v1/patrols/{pk}/points/", {"points": points[i : i + 100]}, format="json")
        assert answer.status_code == 200 and answer.json()["rejected"] == []
    ended = app.post(
        f"/api/v1/patrols/{pk}/end/",
        {"checklist": {"floating_debris": False, "bank_garbage": True}, "note": "岸边有垃圾"},
        format="json",
    )
    verdict = ended.json()
    assert ended.status_code == 200 and verdict["is_valid"] is True, verdict["reasons"]
    assert verdict["reasons"] == [] and 0.18 < verdict["coverage"] < 0.22
    assert verdict["distance_m"] > 2500 and verdict["mode"] == "步行"
    assert {c["code"]: c["found"] for c in verdict["checklist"]} == {
        "floating_debris": False,
        "bank_garbage": True,
    }
    kinds = [f["properties"]["kind"] for f in verdict["map"]["features"]]
    assert kinds == ["track", "walked", "missed"]
    patrol = Patrol.objects.get(pk=pk)
    assert patrol.rule == lenient_rule and patrol.point_count == len(points)
    assert not PatrolPoint.objects.filter(patrol=patrol).exists()  # sealed into the patrol's track
    sealed = track_points(patrol)
    assert all(
        abs(a.lon - b["lon"]) < 1e-6 and abs(a.lat - b["lat"]) < 1e-6
        for a, b in zip(sealed, points, strict=True)
    )


def test_a_resent_batch_adds_nothing_and_a_resent_start_returns_the_same_patrol(world):
    app = token_client(world.chief_a)
    first = start(app, client_id="c-1", reaches=[world.reach_a.pk])
    again = start(app, client_id="c-1", reaches=[world.reach_a.pk])
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    pk = first.json()["id"]
    batch = {"points": as_json(walk(reach_line(world), 0.1, 0.12))}
    one = app.post(f"/api/v1/patrols/{pk}/points/", batch, format="json").json()
    two = app.post(f"/api/v1/patrols/{pk}/points/", batch, format="json").json()
    assert one["accepted"] == len(batch["points"]) and one["duplicates"] == 0
    assert two == {"accepted": 0, "duplicates": len(batch["points"]), "rejected": []}
    assert PatrolPoint.objects.filter(patrol_id=pk).count() == len(batch["points"])


def test_bad_points_are_refused_one_by_one_and_the_good_ones_of_the_batch_kept(world):
    app = token_client(world.chief_a)
    pk = start(app, reaches=[world.reach_a.pk]).json()["id"]
    good = as_json(walk(reach_line(world), 0.1, 0.101))
    bad = [
        {"seq": 9001, "t": good[0]["t"], "lat": 95.2, "lon": 114.6},
        {"seq": 9002, "t": good[0]["t"] + 86400 * 2, "lat": 37.1, "lon": 114.6},
        {"seq": 9003, "t": good[0]["t"] - 86400 * 2, "lat": 37.1, "lon": 114.6},
        "not a point",
    ]
    answer = app.post(f"/api/v1/patrols/{pk}/points/", {"points": good + bad}, format="json").json()
    assert answer["accepted"] == len(good)
    rejected = {r["index"]: r for r in answer["rejected"]}
    assert sorted(rejected) == [len(good), len(good) + 1, len(good) + 2, len(good) + 3]
    assert rejected[len(good)]["field"] == "lat" and "95.2" in rejected[len(good)]["reason"]


def test_gcj02_points_are_converted_to_wgs84(world):
    from hezhang.geo.coords import wgs84_to_gcj02

    app = token_client(world.chief_a)
    pk = start(app, reaches=[world.reach_a.pk]).json()["id"]
    point = walk(reach_line(world), 0.2, 0.2)[0]
    lon, lat = wgs84_to_gcj02(point.lon, point.lat)
    app.post(
        f"/api/v1/patrols/{pk}/points/",
        {"crs": "gcj02", "points": [{"seq": 1, "t": point.t, "lon": lon, "lat": lat}]},
        format="json",
    )
    staged = PatrolPoint.objects.get(patrol_id=pk)
    assert abs(staged.lon - point.lon) < 1e-5 and abs(staged.lat - point.lat) < 1e-5


def test_points_for_someone_elses_patrol_or_after_the_end_are_refused(world):
    mine = token_client(world.chief_a)
    pk = start(mine, reaches=[world.reach_a.pk]).json()["id"]
    batch = {"points": as_json(walk(reach_line(world), 0.1, 0.11))}
    assert (
        token_client(world.chief_b).post(f"/api/v1/patrols/{pk}/points/", batch, format="json").status_code
        == 404
    )
    mine.post(f"/api/v1/patrols/{pk}/end/", {}, format="json")
    late = mine.post(f"/api/v1/patrols/{pk}/points/", batch, format="json")
    assert late.status_code == 409


def test_a_stroll_is_not_valid_and_the_chief_is_told_why_in_words(world):
    app = token_client(world.chief_a)
    pk = start(app, reaches=[world.reach_a.pk]).json()["id"]
    app.post(
        f"/api/v1/patrols/{pk}/points/",
        {"points": as_json(walk(reach_line(world), 0.1, 0.11))},
        format="json",
    )
    verdict = app.post(f"/api/v1/patrols/{pk}/end/", {}, format="json").json()
    assert verdict["is_valid"] is False
    text = " ".join(verdict["reasons"])
    assert (
        "巡河时长" in text
        and "少于要求的 20 分钟" in text
        and "巡河距离" in text
        and "未填写巡查清单" in text
    )


def test_starting_nearby_picks_the_chiefs_reach_next_to_the_phone(world):
    app = token_client(world.chief_a)
    here = walk(reach_line(world), 0.5, 0.5, offset_m=60)[0]
    nearby = app.get("/api/v1/patrols/nearby-reaches/", {"lon": here.lon, "lat": here.lat}).json()
    assert [r["id"] for r in nearby["reaches"]] == [world.reach_a.pk] and 50 < nearby["reaches"][0][
        "distance_m"
    ] < 70
    started = start(app, lon=here.lon, lat=here.lat).json()
    assert [r["id"] for r in started["reaches"]] == [world.reach_a.pk]


def test_a_reach_outside_the_chiefs_view_cannot_be_patrolled(world):
    app = token_client(world.chief_a)
    other = world.reach_b.__class__.objects.create(
        water_body=world.pond_b,
        region=world.village_b,
        name="别处",
        code="X-1",
        geometry=world.reach_b.geometry,
    )
    assert start(app, reaches=[other.pk]).status_code == 400


def test_a_township_office_sees_its_patrols_but_not_the_other_townships(world):
    app_a, app_b = token_client(world.chief_a), token_client(world.chief_b)
    pa = start(app_a, reaches=[world.reach_a.pk]).json()["id"]
    pb = start(app_b, reaches=[world.reach_b.pk]).json()["id"]
    alice = token_client(world.alice)
    assert [row["id"] for row in alice.get("/api/v1/patrols/").json()["results"]] == [pa]
    assert alice.get(f"/api/v1/patrols/{pb}/").status_code == 404
    assert [row["id"] for row in app_b.get("/api/v1/patrols/").json()["results"]] == [pb]
