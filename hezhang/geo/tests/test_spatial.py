import math

import numpy as np
import pytest
from pyproj import Geod

from hezhang.geo.spatial import ReachIndex, RegionIndex, metres_per_degree

GEOD = Geod(ellps="WGS84")


def _synthetic_reaches(count: int, seed: int) -> list[tuple[int, np.ndarray]]:
    """Random meandering reaches in a 1°×1° box; a quarter start on another reach's vertex."""
    rng = np.random.default_rng(seed)
    reaches: list[tuple[int, np.ndarray]] = []
    for rid in range(1, count + 1):
        n = int(rng.integers(2, 30))
        if reaches and rng.random() < 0.25:
            # Confluence: share an exact vertex with an earlier reach.
            parent = reaches[int(rng.integers(0, len(reaches)))][1]
            start = parent[int(rng.integers(0, len(parent)))]
        else:
            start = rng.uniform((110.0, 30.0), (111.0, 31.0))
        heading = rng.uniform(0, 2 * math.pi) + np.cumsum(rng.normal(0, 0.4, n - 1))
        steps = rng.uniform(0.0005, 0.004, n - 1)
        offsets = np.cumsum(np.column_stack((np.cos(heading), np.sin(heading))) * steps[:, None], axis=0)
        reaches.append((rid * 10, np.vstack((start, start + offsets))))
    return reaches


def _true_distance_to_segment(
    lon: float, lat: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Geodesic distance from a point to a lon/lat-linear segment, by sampling then golden-section search."""

    def at(t: float) -> float:
        return GEOD.inv(lon, lat, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))[2]

    ts = np.linspace(0.0, 1.0, 201)
    d = GEOD.inv(
        np.full_like(ts, lon), np.full_like(ts, lat), a[0] + ts * (b[0] - a[0]), a[1] + ts * (b[1] - a[1])
    )[2]
    i = int(np.argmin(d))
    lo, hi = ts[max(i - 1, 0)], ts[min(i + 1, len(ts) - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        m1, m2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if at(m1) < at(m2):
            hi = m2
        else:
            lo = m1
    return min(at((lo + hi) / 2), float(d[i]))


def test_nearest_reach_matches_brute_force_on_random_points():
    reaches = _synthetic_reaches(1500, seed=11)
    index = ReachIndex(reaches)
    rng = np.random.default_rng(12)
    points = rng.uniform((109.95, 29.95), (111.05, 31.05), size=(3000, 2))
    radii = rng.uniform(20.0, 3000.0, size=len(points))
    found = 0
    for (lon, lat), radius in zip(points.tolist(), radii.tolist(), strict=True):
        ours = index.nearest(lon, lat, radius)
        reference = index.brute_force_nearest(lon, lat, radius)
        assert ours == reference
        found += bool(ours)
    # Both outcomes must actually have been exercised.
    assert 300 < found < 2900


def test_k_nearest_matches_brute_force_and_lists_each_reach_once():
    reaches = _synthetic_reaches(600, seed=21)
    index = ReachIndex(reaches)
    rng = np.random.default_rng(22)
    for lon, lat in rng.uniform((110.0, 30.0), (111.0, 31.0), size=(300, 2)).tolist():
        ours = index.nearest(lon, lat, 2500.0, k=5)
        assert ours == index.brute_force_nearest(lon, lat, 2500.0, k=5)
        ids = [rid for rid, _ in ours]
        assert len(ids) == len(set(ids))
        assert [d for _, d in ours] == sorted(d for _, d in ours)
        if ours:
            assert index.nearest(lon, lat, 2500.0) == ours[:1]


def test_local_frame_distance_is_within_half_a_percent_of_geodesic_across_china():
    rng = np.random.default_rng(31)
    worst = 0.0
    for _ in range(150):
        lat0 = float(rng.uniform(18.0, 53.0))
        lon0 = float(rng.uniform(75.0, 134.0))
        kx, ky = metres_per_degree(lat0)
        length = float(rng.uniform(20.0, 3000.0))
        angle = float(rng.uniform(0, 2 * math.pi))
        a = (lon0, lat0)
        b = (lon0 + length * math.cos(angle) / kx, lat0 + length * math.sin(angle) / ky)
        # Query up to 5 km away in any direction from a random point along the segment.
        t = float(rng.uniform(-0.3, 1.3))
        reach = float(rng.uniform(10.0, 5000.0))
        turn = float(rng.uniform(0, 2 * math.pi))
        qlon = a[0] + t * (b[0] - a[0]) + reach * math.cos(turn) / kx
        qlat = a[1] + t * (b[1] - a[1]) + reach * math.sin(turn) / ky
        truth = _true_distance_to_segment(qlon, qlat, a, b)
        if truth > 5000.0:
            continue
        found = ReachIndex([(1, [a, b])]).nearest_one(qlon, qlat, 6000.0)
        assert found is not None
        worst = max(worst, abs(found[1] - truth) / truth)
    assert worst < 0.005


def test_one_projection_for_a_whole_province_would_not_be_accurate_enough():
    # Guard for the design choice: the local frame must be centred on the
    # query, not on the data.  Measured in a frame centred 3° further south,
    # a 2 km east-west distance at 42° N is off by far more than 0.5 %.
    kx_query, _ = metres_per_degree(42.0)
    kx_far, _ = metres_per_degree(39.0)
    assert abs(kx_far / kx_query - 1) > 0.03
    index = ReachIndex([(7, [(116.0, 41.9), (116.0, 42.1)])])
    rid, metres = index.nearest_one(116.0 + 2000.0 / kx_query, 42.0, 5000.0)
    assert rid == 7
    assert metres == pytest.approx(GEOD.inv(116.0, 42.0, 116.0 + 2000.0 / kx_query, 42.0)[2], rel=1e-4)


def test_point_outside_radius_finds_no_reach():
    index = ReachIndex([(1, [(116.0, 40.0), (116.01, 40.0)])])
    kx, ky = metres_per_degree(40.0)
    assert index.nearest(116.005, 40.0 + 300.0 / ky, 250.0) == []
    assert index.nearest_one(116.005, 40.0 + 300.0 / ky, 250.0) is None
    hit = index.nearest_one(116.005, 40.0 + 300.0 / ky, 350.0)
    assert hit is not None and hit[1] == pytest.approx(300.0, rel=1e-6)
    # Far outside the grid in every direction.
    assert index.nearest(100.0, 20.0, 5000.0) == []
    assert index.nearest(130.0, 50.0, 5000.0) == []


def test_multilinestring_reach_is_found_by_any_of_its_parts():
    index = ReachIndex(
        [
            (5, [[(116.0, 40.0), (116.01, 40.0)], [(117.0, 40.0), (117.01, 40.0)]]),
            (6, [(116.5, 40.0), (116.51, 40.0)]),
        ]
    )
    assert index.nearest_one(116.005, 40.0005, 500.0)[0] == 5
    assert index.nearest_one(117.005, 40.0005, 500.0)[0] == 5
    assert index.nearest_one(116.505, 40.0005, 500.0)[0] == 6


def test_degenerate_reach_of_one_repeated_point_is_still_found():
    index = ReachIndex([(3, [(116.0, 40.0), (116.0, 40.0)]), (4, [(116.1, 40.0)])])
    kx, _ = metres_per_degree(40.0)
    rid, metres = index.nearest_one(116.0 + 100.0 / kx, 40.0, 200.0)
    assert rid == 3 and metres == pytest.approx(100.0, rel=1e-6)
    assert index.nearest_one(116.1, 40.0, 1.0) == (4, pytest.approx(0.0, abs=1e-6))


def test_identical_reaches_tie_to_the_smaller_id():
    line = [(116.0, 40.0), (116.01, 40.0)]
    index = ReachIndex([(9, line), (2, line), (5, line)])
    assert index.nearest_one(116.005, 40.001, 500.0)[0] == 2
    assert [rid for rid, _ in index.nearest(116.005, 40.001, 500.0, k=3)] == [2, 5, 9]
    assert index.brute_force_nearest(116.005, 40.001, 500.0) == index.nearest(116.005, 40.001, 500.0)


def test_empty_index_and_bad_arguments():
    empty = ReachIndex([])
    assert empty.nearest(116.0, 40.0, 1000.0) == []
    assert empty.brute_force_nearest(116.0, 40.0, 1000.0) == []
    index = ReachIndex([(1, [(116.0, 40.0), (116.01, 40.0)])])
    with pytest.raises(ValueError):
        index.nearest(116.0, 40.0, -1.0)
    with pytest.raises(ValueError):
        index.nearest(116.0, 40.0, 100.0, k=0)
    with pytest.raises(ValueError):
        ReachIndex([(1, [116.0, 40.0])])


def _square(x0: float, y0: float, size: float) -> dict:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_regions_containing_a_point_are_listed_deepest_first():
    regions = RegionIndex(
        [
            (1, 1, _square(110.0, 30.0, 4.0)),  # province
            (11, 2, _square(110.0, 30.0, 2.0)),  # city
            (12, 2, _square(112.0, 30.0, 2.0)),  # neighbouring city
            (111, 3, _square(110.5, 30.5, 0.5)),  # county
            (2, 1, {"type": "MultiPolygon", "coordinates": [_square(120.0, 30.0, 1.0)["coordinates"]]}),
        ]
    )
    assert len(regions) == 5
    assert regions.containing(110.7, 30.7) == [111, 11, 1]
    assert regions.containing(111.5, 31.5) == [11, 1]
    assert regions.containing(120.5, 30.5) == [2]
    assert regions.containing(100.0, 30.0) == []
    # On the border between the two cities: both, ties by id.
    assert regions.containing(112.0, 31.0) == [11, 12, 1]
