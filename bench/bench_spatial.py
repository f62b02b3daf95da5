"""Benchmark of ReachIndex.nearest at province scale.

Run with:  .venv/bin/python -m bench.bench_spatial [--reaches N] [--queries N]

Synthetic reaches are random meandering polylines (10-40 vertices, steps of
100-400 m) scattered over lon 114-120, lat 36-42, about the size of Hebei
or Shanxi.  Half of the query points are uniform over the area, half are
jittered around reach vertices like patrol GPS fixes, so both the "nothing
nearby" and the "several reaches nearby" paths are exercised.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from hezhang.geo.spatial import ReachIndex, metres_per_degree

FloatArray = npt.NDArray[np.float64]
Reach = tuple[int, FloatArray]
Answer = list[tuple[int, float]]

EXTENT = (114.0, 36.0, 120.0, 42.0)
TARGET_US = 50.0


def make_reaches(
    count: int, seed: int = 20240601, extent: tuple[float, float, float, float] = EXTENT
) -> list[Reach]:
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = extent
    sizes = rng.integers(10, 41, size=count)
    total = int(sizes.sum())
    reach_of = np.repeat(np.arange(count), sizes)
    first = np.cumsum(sizes) - sizes
    is_first = np.zeros(total, dtype=bool)
    is_first[first] = True

    # A heading that drifts by a random turn at every vertex gives the
    # meanders; the drift restarts at each reach's own random heading.
    turns = rng.normal(0.0, 0.5, size=total)
    turns[is_first] = rng.uniform(0.0, 2.0 * math.pi, size=count)
    cum = np.cumsum(turns)
    heading = cum - np.repeat(cum[first] - turns[first], sizes)
    step = rng.uniform(100.0, 400.0, size=total)
    step[is_first] = 0.0

    start_lon = rng.uniform(lon0, lon1, size=count)
    start_lat = rng.uniform(lat0, lat1, size=count)
    # Metres to degrees at each reach's start; reaches are a few km long, so
    # the scale barely changes along one of them.
    kx = np.array([metres_per_degree(float(v))[0] for v in start_lat])
    ky = np.array([metres_per_degree(float(v))[1] for v in start_lat])
    east = step * np.cos(heading) / kx[reach_of]
    north = step * np.sin(heading) / ky[reach_of]

    def along(values: FloatArray) -> FloatArray:
        c = np.cumsum(values)
        return c - np.repeat(c[first] - values[first], sizes)

    lon = start_lon[reach_of] + along(east)
    lat = start_lat[reach_of] + along(north)
    xy = np.column_stack((lon, lat))
    return [
        (i + 1, xy[s : s + n]) for i, (s, n) in enumerate(zip(first.tolist(), sizes.tolist(), strict=True))
    ]


def make_queries(
    count: int, reaches: Sequence[Reach], seed: int = 7, extent: tuple[float, float, float, float] = EXTENT
) -> FloatArray:
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = extent
    uniform = count // 2
    near = count - uniform
    pts = np.empty((count, 2))
    pts[:uniform, 0] = rng.uniform(lon0, lon1, size=uniform)
    pts[:uniform, 1] = rng.uniform(lat0, lat1, size=uniform)
    picks = rng.integers(0, len(reaches), size=near)
    for j, r in enumerate(picks.tolist()):
        xy = reaches[r][1]
        pts[uniform + j] = xy[rng.integers(0, len(xy))]
    # About 300 m of jitter in each direction.
    pts[uniform:] += rng.normal(0.0, 0.003, size=(near, 2))
    return pts


def run_queries(index: ReachIndex, points: FloatArray, radius_m: float, brute: bool = False) -> list[Answer]:
    ask = index.brute_force_nearest if brute else index.nearest
    return [ask(lon, lat, radius_m) for lon, lat in points.tolist()]


def disagreements(ours: Sequence[Answer], reference: Sequence[Answer]) -> list[int]:
    """Positions where the two answer lists differ in reach or (beyond 1e-9) distance."""
    bad = []
    for i, (a, b) in enumerate(zip(ours, reference, strict=True)):
        same = len(a) == len(b) and all(
            ra == rb and math.isclose(da, db, rel_tol=1e-9, abs_tol=1e-9)
            for (ra, da), (rb, db) in zip(a, b, strict=True)
        )
        if not same:
            bad.append(i)
    return bad


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reaches", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--brute-queries", type=int, default=50)
    parser.add_argument("--radius", type=float, default=500.0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    reaches = make_reaches(args.reaches)
    vertices = sum(len(xy) for _, xy in reaches)
    print(
        f"generated {len(reaches):,} reaches, {vertices:,} vertices in {time.perf_counter() - started:.2f} s"
    )

    started = time.perf_counter()
    index = ReachIndex(reaches)
    build_s = time.perf_counter() - started
    print(
        f"index build: {build_s:.2f} s ({index.segment_count:,} segments, cell {index.cell_deg:.4f} degree)"
    )

    points = make_queries(args.queries, reaches)
    run_queries(index, points[:500], args.radius)  # warm caches and code paths
    started = time.perf_counter()
    ours = run_queries(index, points, args.radius)
    per_query_us = (time.perf_counter() - started) / len(points) * 1e6
    found = sum(1 for a in ours if a)

    sample = points[: args.brute_queries]
    started = time.perf_counter()
    reference = run_queries(index, sample, args.radius, brute=True)
    brute_us = (time.perf_counter() - started) / len(sample) * 1e6
    bad = disagreements(ours[: len(sample)], reference)

    print(f"queries: {len(points):,} at radius {args.radius:g} m, {found:,} found a reach")
    print(f"nearest reach (ours): {per_query_us:.1f} µs/query")
    print(f"brute force reference: {brute_us:.1f} µs/query (over {len(sample)} queries)")
    print(f"speed-up: {brute_us / per_query_us:.0f}x")
    print(f"agreement with brute force: {len(sample) - len(bad)}/{len(sample)}")
    ok = per_query_us <= TARGET_US and not bad
    print(f"target: <= {TARGET_US:g} µs/query -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
