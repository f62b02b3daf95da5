"""Patrol scoring on synthetic reaches and tracks built in metres around a point in Hebei."""

import json
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.coverage import samples_along
from hezhang.patrols.points import TrackPoint
from hezhang.patrols.scoring import DEFAULT_RULES, ReachLine, ScoringRules, Track, score

LON0, LAT0 = 114.6, 37.2
KX, KY = metres_per_degree(LAT0)


def lonlat(x, y):
    return [LON0 + x / KX, LAT0 + y / KY]


def reach(*xy):
    return {"type": "LineString", "coordinates": [lonlat(x, y) for x, y in xy]}


STRAIGHT = reach((0, 0), (1000, 0), (2000, 0))  # 2 km due east


def walk(xy, *, speed=1.2, interval=5.0, start=1.7e9):
    """Fixes along a polyline of (x, y) metres at a steady speed."""
    pts = np.array([complex(x, y) for x, y in xy])
    along = np.concatenate(([0.0], np.cumsum(np.abs(np.diff(pts)))))
    at = np.arange(0.0, along[-1] + 1e-9, speed * interval)
    if at[-1] < along[-1]:
        at = np.append(at, along[-1])
    where = np.interp(at, along, pts.real) + 1j * np.interp(at, along, pts.imag)
    return [
        TrackPoint(t=start + a / speed, lon=lonlat(p.real, p.imag)[0], lat=lonlat(p.real, p.imag)[1])
        for a, p in zip(at, where, strict=True)
    ]


def test_a_walk_along_the_whole_reach_covers_it_fully():
    result = score(walk([(0, 10), (2000, 10)]), [STRAIGHT])
    assert result.coverage == pytest.approx(1.0, abs=1e-3)
    assert result.reaches[0].intervals == ((pytest.approx(0, abs=0.5), pytest.approx(2000, rel=1e-3)),)
    assert result.is_valid and result.reasons == ()
    assert result.mode == "walk"


def test_a_track_fifty_five_metres_off_the_reach_covers_nothing_at_a_fifty_metre_buffer():
    result = score(walk([(0, 55), (2000, 55)]), [STRAIGHT])
    assert result.coverage == 0.0
    assert result.reaches[0].intervals == ()
    assert "low_coverage" in result.flags


def test_a_track_forty_metres_off_covers_the_reach_and_half_a_chord_beyond_its_ends():
    result = score(walk([(500, 40), (1500, 40)]), [STRAIGHT])
    half_chord = math.sqrt(50**2 - 40**2)  # 30 m
    ((start, end),) = result.reaches[0].intervals
    assert start == pytest.approx(500 - half_chord, abs=0.5)
    assert end == pytest.approx(1500 + half_chord, abs=0.5)


def test_the_track_counts_as_a_polyline_not_just_its_points():
    far_apart = [
        TrackPoint(t=0, lon=lonlat(400, 0)[0], lat=LAT0),
        TrackPoint(t=600, lon=lonlat(1600, 0)[0], lat=LAT0),
    ]
    result = score(far_apart, [STRAIGHT])
    assert result.reaches[0].covered_m == pytest.approx(1200 + 2 * 50, rel=1e-3)


def test_a_detour_leaves_a_gap_between_merged_intervals_measured_from_the_reach_start():
    route = [
        (0, 0),
        (600, 0),
        (700, 300),
        (1000, 300),
        (1100, 0),
        (1400, 0),
        (1200, 0),
    ]  # out, inland, back, and back again
    result = score(walk(route), [STRAIGHT])
    intervals = result.reaches[0].intervals
    assert len(intervals) == 2
    (a0, a1), (b0, b1) = intervals
    # The walk turns back at a fix within one 6 m step before (1400, 0).
    assert a0 == pytest.approx(0, abs=0.5) and a1 < b0 and b1 == pytest.approx(1450, abs=6)
    assert result.reaches[0].covered_m == pytest.approx(sum(e - s for s, e in intervals))


def test_coverage_agrees_with_a_shapely_buffer_on_a_meandering_reach():
    rng = np.random.default_rng(3)
    s = np.arange(0, 3000, 25.0)
    heading = 1.1 * np.sin(2 * np.pi * s / 400)
    line = np.concatenate(([0], np.cumsum(25 * np.exp(1j * heading))))
    track = line[30:100] + rng.normal(0, 6, 70) + 1j * rng.normal(0, 6, 70) + 15j
    coords = [lonlat(p.real, p.imag) for p in line]
    points = [
        TrackPoint(t=1.7e9 + 10 * i, lon=lonlat(p.real, p.imag)[0], lat=lonlat(p.real, p.imag)[1])
        for i, p in enumerate(track)
    ]
    result = score(points, [{"type": "LineString", "coordinates": coords}])

    to_utm = Transformer.from_crs(4326, 32650, always_xy=True)
    r = shapely.LineString(np.column_stack(to_utm.transform(*np.array(coords).T)))
    t = shapely.LineString(
        np.column_stack(to_utm.transform([p.lon for p in points], [p.lat for p in points]))
    )
    reference = r.intersection(t.buffer(50)).length / r.length
    assert 0.2 < reference < 0.9
    assert result.coverage == pytest.approx(reference, abs=0.005)


def test_distance_is_within_half_a_percent_of_the_geodesic():
    points = walk([(0, 0), (3000, 4000), (6000, 0)], speed=5)
    result = score(points, [STRAIGHT])
    geodesic = Geod(ellps="WGS84").line_length([p.lon for p in points], [p.lat for p in points])
    assert result.distance_m == pytest.approx(geodesic, rel=0.005)


def test_an_empty_track_scores_invalid_without_crashing():
    result = score([], [STRAIGHT])
    assert not result.is_valid
    assert {"empty_track", "too_short", "too_little_distance", "low_coverage"} <= set(result.flags)
    assert result.reaches[0].start_distance_m is None


def test_a_single_point_scores_invalid_without_crashing():
    result = score([TrackPoint(t=0, lon=lonlat(1000, 0)[0], lat=LAT0)], [STRAIGHT])
    assert not result.is_valid and result.mode == "none"
    assert result.reaches[0].covered_m == pytest.approx(100, rel=1e-3)
    assert result.reaches[0].start_distance_m == pytest.approx(0, abs=0.5)


def test_a_short_stroll_is_too_short_and_too_little_distance():
    result = score(walk([(0, 0), (200, 0)]), [STRAIGHT])
    codes = {r.code: r for r in result.reasons}
    assert codes["too_short"].limit == DEFAULT_RULES.min_duration_s
    assert codes["too_little_distance"].value == pytest.approx(200, rel=1e-3)


def test_driving_past_is_too_fast_and_counted_as_a_drive():
    result = score(walk([(0, 0), (2000, 0), (0, 0), (2000, 0), (0, 0), (2000, 0)], speed=12), [STRAIGHT])
    assert result.mode == "drive"
    assert "too_fast" in result.flags
    assert result.coverage == pytest.approx(1.0, abs=1e-3)


def test_a_jump_of_kilometres_in_seconds_is_a_teleport():
    points = walk([(0, 0), (1000, 0)])
    t = points[-1].t
    away = [TrackPoint(t=t + 5 + i, lon=lonlat(30000 + i, 0)[0], lat=LAT0) for i in range(5)]
    result = score(points + away, [STRAIGHT])
    assert "teleport" in result.flags and not result.is_valid


def test_a_patrol_starting_far_from_the_reach_is_flagged():
    result = score(walk([(1000, 900), (1000, 0), (2000, 0)]), [STRAIGHT])
    far = [r for r in result.reasons if r.code == "far_from_reach"]
    assert far and far[0].value == pytest.approx(900, abs=1)


def test_an_unanswered_checklist_makes_the_patrol_invalid_only_when_required():
    points = walk([(0, 0), (2000, 0)])
    assert score(points, [STRAIGHT], checklist_answered=0).is_valid
    strict = ScoringRules(require_checklist=True)
    assert "checklist_empty" in score(points, [STRAIGHT], strict, checklist_answered=0).flags
    assert score(points, [STRAIGHT], strict, checklist_answered=4).is_valid


def test_the_parts_of_a_multilinestring_are_measured_one_after_another():
    multi = {
        "type": "MultiLineString",
        "coordinates": [STRAIGHT["coordinates"], reach((0, 500), (1000, 500))["coordinates"]],
    }
    result = score(walk([(0, 500), (1000, 500)]), [{"type": "Feature", "id": 7, "geometry": multi}])
    (cover,) = result.reaches
    assert cover.reach_id == 7 and cover.length_m == pytest.approx(3000, rel=1e-3)
    ((start, end),) = cover.intervals
    assert start == pytest.approx(2000, abs=0.5) and end == pytest.approx(3000, abs=0.5)


def test_several_reaches_are_covered_separately_and_together():
    north = (5, reach((0, 1000), (2000, 1000)))
    result = score(walk([(0, 0), (2000, 0)]), [STRAIGHT, north])
    assert [r.coverage for r in result.reaches] == [pytest.approx(1.0, abs=1e-3), 0.0]
    assert result.reaches[1].reach_id == 5
    assert result.coverage == pytest.approx(0.5, abs=1e-3)


def test_a_prepared_reach_and_arrays_give_the_same_score_as_geojson_and_points():
    points = walk([(0, 20), (1500, 20)])
    track = Track.from_arrays([p.t for p in points], [p.lon for p in points], [p.lat for p in points])
    assert score(track, [ReachLine.from_geojson(STRAIGHT)]) == score(points, [STRAIGHT])


def test_the_score_serialises_to_json_and_describes_itself():
    result = score(walk([(0, 0), (300, 0)]), [STRAIGHT])
    data = json.loads(json.dumps(result.as_dict()))
    assert data["reasons"][0]["code"] == "too_short"
    assert "not valid" in result.describe()


def test_coverage_of_a_track_along_half_the_reach_is_half():
    result = score(walk([(0, 10), (1000 - 50, 10)]), [STRAIGHT])  # the buffer reaches 50 m past the end
    assert result.coverage == pytest.approx(0.5, abs=1e-3)


def test_walking_along_a_reach_of_many_short_segments_gives_one_stretch():
    x = np.arange(0, 2001, 7.0)
    wiggly = reach(*[(v, 3.0 * math.sin(v / 15.0)) for v in x])  # a vertex every 7 m, none simplified away
    (cover,) = score(walk([(0, 20), (2000, 20)]), [wiggly]).reaches
    assert len(cover.intervals) == 1
    assert cover.coverage == pytest.approx(1.0, abs=1e-3)


def test_a_track_ending_far_from_the_reach_reports_how_far():
    result = score(walk([(500, 0), (1000, 0), (1000, 900)]), [STRAIGHT])
    (cover,) = result.reaches
    assert cover.start_distance_m == pytest.approx(0, abs=0.5)
    assert cover.end_distance_m == pytest.approx(900, abs=1)


def test_a_track_nowhere_near_the_reach_covers_nothing_and_says_how_far_it_was():
    result = score(walk([(0, 3000), (2000, 3000)]), [STRAIGHT])
    (cover,) = result.reaches
    assert cover.intervals == () and result.coverage == 0.0
    assert cover.start_distance_m == pytest.approx(3000, abs=1)
    assert cover.end_distance_m == pytest.approx(3000, abs=1)
    assert "far_from_reach" in result.flags


def test_coverage_agrees_with_a_shapely_buffer_for_a_track_zigzagging_across_the_reach():
    # Crossing and recrossing leaves many stretches that cover part of a
    # segment.  Fixes are a few metres apart: with 20 m between them the
    # disks around the fixes fall short of the buffer by half a point here.
    rng = np.random.default_rng(8)
    xs = np.arange(0, 2000, 4.0)
    track = [(x, 70 * math.sin(x / 45) + rng.normal(0, 4)) for x in xs]
    points = [
        TrackPoint(t=1.7e9 + 5 * i, lon=lonlat(x, y)[0], lat=lonlat(x, y)[1])
        for i, (x, y) in enumerate(track)
    ]
    result = score(points, [STRAIGHT])
    to_utm = Transformer.from_crs(4326, 32650, always_xy=True)
    r = shapely.LineString(np.column_stack(to_utm.transform(*np.array(STRAIGHT["coordinates"]).T)))
    t = shapely.LineString(
        np.column_stack(to_utm.transform([p.lon for p in points], [p.lat for p in points]))
    )
    reference = r.intersection(t.buffer(50)).length / r.length
    assert 0.5 < reference < 0.99
    assert result.coverage == pytest.approx(reference, abs=0.005)
    assert len(result.reaches[0].intervals) > 5


@pytest.mark.parametrize("long_steps", [3, 40])
def test_extra_samples_split_each_long_step_evenly_however_many_steps_are_long(long_steps):
    rng = np.random.default_rng(long_steps)
    moves = rng.uniform(1, 20, 100) + 1j * rng.uniform(-5, 5, 100)
    moves[rng.choice(100, long_steps, replace=False)] *= 6  # 6 to 120 m: one to five pieces of 25 m at most
    track = np.concatenate(([0j], np.cumsum(moves)))
    samples = samples_along(track, np.abs(moves), 50.0)
    expected = [track[0]]
    for a, b in zip(track[:-1], track[1:], strict=True):
        pieces = max(math.ceil(abs(b - a) / 25.0), 1)
        expected.extend(a + (b - a) * k / pieces for k in range(1, pieces + 1))
    assert samples[0] == track[0] and samples[-1] == track[-1]
    assert len(samples) == len(expected)
    np.testing.assert_allclose(np.sort_complex(samples), np.sort_complex(np.array(expected)), atol=1e-9)
