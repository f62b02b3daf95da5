"""Cleaning a phone's GPS track: what is dropped, why, and what is kept."""

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.cleaning import CleaningRules, clean
from hezhang.patrols.points import TrackPoint

LON0, LAT0 = 114.6, 37.2
KX, KY = metres_per_degree(LAT0)


def fix(t, x, y=0.0, accuracy=5.0):
    """A fix at x metres east and y metres north of a point in Hebei."""
    return TrackPoint(t=float(t), lon=LON0 + x / KX, lat=LAT0 + y / KY, accuracy=accuracy)


def walking(n, *, start=0, t0=0, speed=1.2, interval=5):
    return [fix(t0 + i * interval, start + i * speed * interval) for i in range(n)]


def reasons(cleaned):
    return {(d.point.t, d.reason) for d in cleaned.dropped}


def test_a_clean_walk_keeps_every_point():
    points = walking(20)
    assert clean(points).kept == tuple(points)


def test_points_come_back_sorted_by_time():
    points = walking(10)
    assert clean(list(reversed(points))).kept == tuple(points)


def test_poor_accuracy_is_dropped_and_unknown_accuracy_is_kept():
    points = walking(6)
    points[2] = fix(10, 12, accuracy=80)
    points[3] = fix(15, 18, accuracy=None)
    cleaned = clean(points)
    assert reasons(cleaned) == {(10, "poor_accuracy")}
    assert points[3] in cleaned.kept


def test_of_fixes_with_the_same_time_the_most_accurate_stays():
    better, worse = fix(10, 12, accuracy=4), fix(10, 14, accuracy=20)
    cleaned = clean([fix(0, 0), worse, better, fix(20, 24)])
    assert better in cleaned.kept and worse not in cleaned.kept
    assert cleaned.counts["duplicate"] == 1


def test_a_single_far_off_fix_is_dropped_as_a_speed_jump():
    points = walking(10)
    points[5] = fix(25, 2000)  # 2 km in 5 s, then back on the path
    cleaned = clean(points)
    assert reasons(cleaned) == {(25, "speed_jump")}
    assert len(cleaned.kept) == 9


def test_a_jump_that_persists_is_kept_for_the_scorer_to_judge():
    before = walking(10)
    after = walking(10, start=5000, t0=50)  # 5 km further on after 5 s, and it stays there
    cleaned = clean(before + after)
    assert cleaned.kept == tuple(before + after)


def test_a_gap_without_signal_is_not_a_speed_jump():
    before = walking(10)
    after = walking(10, start=45 + 600, t0=45 + 500)  # 500 s without a fix, still walking pace
    assert clean(before + after).kept == tuple(before + after)


def test_a_stale_first_fix_is_dropped_when_the_track_continues_elsewhere():
    stale = fix(0, -8000)
    points = walking(10, t0=5)
    cleaned = clean([stale, *points])
    assert cleaned.kept == tuple(points)
    assert reasons(cleaned) == {(0, "speed_jump")}


def test_standing_still_collapses_to_the_first_and_last_fix_keeping_the_duration():
    arrive = walking(5)
    standing = [
        fix(25 + 5 * i, 24 + (i % 3) - 1, (i % 2) * 2.0) for i in range(1, 60)
    ]  # five minutes of jitter
    leave = walking(5, start=40, t0=330)
    cleaned = clean(arrive + standing + leave)
    assert cleaned.kept == tuple(arrive + [standing[-1]] + leave)
    assert cleaned.counts["jitter"] == len(standing) - 1


def test_the_rules_can_be_loosened():
    points = walking(6)
    points[2] = fix(10, 12, accuracy=80)
    assert clean(points, CleaningRules(max_accuracy_m=100)).kept == tuple(points)


def test_counts_list_every_reason_even_when_unused():
    assert clean(walking(3)).counts == {
        "raw": 3,
        "kept": 3,
        "duplicate": 0,
        "poor_accuracy": 0,
        "speed_jump": 0,
        "jitter": 0,
    }


def test_an_empty_track_cleans_to_nothing():
    cleaned = clean([])
    assert cleaned.kept == () and cleaned.dropped == ()
