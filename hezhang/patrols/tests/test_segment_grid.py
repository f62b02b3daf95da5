"""The candidate grid of a reach: every segment near a point is among the point's candidates."""

import numpy as np
import pytest

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.coverage import ReachLine

LON0, LAT0 = 114.6, 37.2
KX, KY = metres_per_degree(LAT0)
BUFFER = 50.0


def meander(length_m=3000.0, seed=5):
    """A winding line as metres east + 1j * north, with a vertex every 20-30 m."""
    rng = np.random.default_rng(seed)
    steps = rng.uniform(20.0, 30.0, int(length_m / 25.0))
    heading = 1.2 * np.sin(np.cumsum(steps) / 70.0) + np.cumsum(rng.normal(0.0, 0.05, len(steps)))
    return np.concatenate(([0.0], np.cumsum(steps * np.exp(1j * heading))))


def prepared(xy):
    return ReachLine([np.column_stack((LON0 + xy.real / KX, LAT0 + xy.imag / KY))])


def as_lonlat(xy):
    return (LON0 + xy.real / KX) + 1j * (LAT0 + xy.imag / KY)


def distances_to_segments(line, points):
    """Brute force, in the reach's own frame: every point against every segment."""
    p = (points.real - line.lon0) * line.kx + 1j * (points.imag - line.lat0) * line.ky
    t = np.clip(((p[:, None] - line.a) * np.conj(line.d)).real / line.seg_len**2, 0.0, 1.0)
    return np.abs(p[:, None] - (line.a + t * line.d))


def test_every_segment_within_the_buffer_of_a_point_is_among_its_candidates():
    xy = meander()
    line = prepared(xy)
    rng = np.random.default_rng(1)
    near = xy[rng.integers(0, len(xy), 400)] + rng.normal(0, 35, 400) + 1j * rng.normal(0, 35, 400)
    points = as_lonlat(near)
    grid = line.grid(BUFFER)
    count, seg = grid.candidates(grid.to_cells(points))
    listed = np.split(seg, np.cumsum(count)[:-1])
    within = distances_to_segments(line, points) <= BUFFER
    assert within.any(axis=1).sum() > 300  # most points are near the reach
    for mine, close in zip(listed, within, strict=True):
        assert set(np.flatnonzero(close)) <= set(mine.tolist())


def test_candidates_measure_metres_along_and_off_each_segment():
    line = prepared(np.array([0, 100, 100 + 100j]))
    grid = line.grid(BUFFER)
    u = grid.to_cells(as_lonlat(np.array([40 + 10j])))
    count, seg = grid.candidates(u)
    z = u[0] * grid.ce[seg] + grid.q[seg]
    first = seg.tolist().index(0)
    # 40 m along the first segment and 10 m off it (to a millimetre: the
    # reach's frame is centred on the reach, not at LAT0)
    assert z[first].real == pytest.approx(40, abs=1e-3)
    assert abs(z[first].imag) == pytest.approx(10, abs=1e-3)


@pytest.mark.parametrize(
    "offset", [-5000 - 5000j, -5000 + 500j, 500 - 5000j, 9000 + 500j, 500 + 9000j, 9e5 + 9e5j]
)
def test_a_point_off_the_grid_in_any_direction_has_no_candidate_within_the_buffer(offset):
    line = prepared(meander(1000.0))
    points = as_lonlat(np.array([offset]))
    grid = line.grid(BUFFER)
    count, seg = grid.candidates(grid.to_cells(points))
    assert len(seg) == count.sum()
    assert (distances_to_segments(line, points)[0, seg] > BUFFER).all()


def test_a_long_reach_gets_larger_cells_not_a_larger_grid():
    xy = np.linspace(0, 400_000, 2001) + 1j * np.linspace(0, 300_000, 2001)
    grid = prepared(xy).grid(BUFFER)
    assert len(grid.start) < 1.1 * (1 << 17)  # the cap, give or take the ring of empty cells
    points = as_lonlat(xy[::97] + 30j)
    count, seg = grid.candidates(grid.to_cells(points))
    assert (count > 0).all()


def test_a_reach_of_more_segments_than_sixteen_bits_count_still_finds_them():
    x = np.arange(34_000) * 10.0
    # A zigzag, which keeps every vertex, on a wide arc, which keeps simplifying it quick.
    xy = x + 1j * (20_000 * np.sin(np.pi * x / x[-1]) + np.where(np.arange(34_000) % 2, 5.0, -5.0))
    line = prepared(xy)
    grid = line.grid(BUFFER)
    assert grid.entries.dtype == np.int32 and grid.start.dtype == np.int32
    points = as_lonlat(xy[[33_000]] + 20j)
    count, seg = grid.candidates(grid.to_cells(points))
    within = np.flatnonzero(distances_to_segments(line, points)[0] <= BUFFER)
    assert len(within) > 0 and set(within) <= set(seg.tolist())
