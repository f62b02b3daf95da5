"""The verdict printed by `hezhang patrol score` for a contested patrol."""

import json

import pytest

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.dispute import settle
from hezhang.patrols.points import TrackPoint

LON0, LAT0 = 114.6, 37.2
KX, KY = metres_per_degree(LAT0)
LINE = {"type": "LineString", "coordinates": [[LON0, LAT0], [LON0 + 2000 / KX, LAT0]]}  # 2 km due east


def walk_along(metres, offset=10.0, speed=1.2, interval=5.0):
    steps = int(metres / (speed * interval)) + 1
    return [
        TrackPoint(
            t=1.7e9 + i * interval, lon=LON0 + i * speed * interval / KX, lat=LAT0 + offset / KY, accuracy=5
        )
        for i in range(steps)
    ]


def test_a_good_walk_is_settled_as_valid_with_its_covered_stretch():
    verdict = settle(LINE, walk_along(1500))
    assert verdict["valid"] is True and verdict["reasons"] == []
    assert verdict["reach_length_m"] == pytest.approx(2000, abs=1)
    ((start, end),) = verdict["covered_intervals_m"]
    assert start == 0 and end == pytest.approx(1500 + 49, abs=2)
    assert verdict["coverage"] == pytest.approx(0.77, abs=0.01)
    assert verdict["points"]["kept"] == len(walk_along(1500))


def test_a_walk_too_short_gets_its_reasons_with_values_and_limits():
    verdict = settle(LINE, walk_along(300))
    assert verdict["valid"] is False
    codes = {r["code"]: r for r in verdict["reasons"]}
    assert set(codes) == {"too_short", "too_little_distance", "low_coverage"}
    assert codes["too_short"]["limit"] == 600


def test_the_buffer_decides_whether_a_far_bank_walk_covers_the_reach():
    far_bank = walk_along(1500, offset=70)
    assert settle(LINE, far_bank)["coverage"] == 0
    wide = settle(LINE, far_bank, buffer_m=80)
    assert wide["valid"] is True and wide["buffer_m"] == 80 and wide["rules"]["buffer_m"] == 80


def test_a_feature_a_collection_and_a_bare_geometry_give_the_same_verdict():
    feature = {"type": "Feature", "id": "R-12", "properties": {}, "geometry": LINE}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON0, LAT0]}},
            feature,
        ],
    }
    points = walk_along(1500)
    by_feature, by_collection, bare = (
        settle(feature, points),
        settle(collection, points),
        settle(LINE, points),
    )
    assert by_feature["reach_id"] == by_collection["reach_id"] == "R-12"
    assert bare["reach_id"] is None
    bare["reach_id"] = "R-12"
    assert by_feature == by_collection == bare


def test_the_verdict_is_plain_json():
    verdict = settle(LINE, walk_along(800))
    assert json.loads(json.dumps(verdict)) == verdict


def test_a_file_without_a_line_is_refused():
    with pytest.raises(ValueError):
        settle({"type": "FeatureCollection", "features": []}, walk_along(100))
    with pytest.raises(ValueError):
        settle({"type": "Point", "coordinates": [LON0, LAT0]}, walk_along(100))


def test_an_empty_track_is_settled_as_invalid():
    verdict = settle(LINE, [])
    assert verdict["valid"] is False and "empty_track" in verdict["flags"]
    assert verdict["start_distance_m"] is None
