"""The benchmark's own pieces at toy scale: checks answers, never timing."""

from bench.bench_spatial import disagreements, make_queries, make_reaches, run_queries
from hezhang.geo.spatial import ReachIndex

SMALL_EXTENT = (114.0, 36.0, 114.5, 36.5)


def test_benchmark_answers_agree_with_brute_force_at_small_scale():
    reaches = make_reaches(1_000, extent=SMALL_EXTENT)
    index = ReachIndex(reaches)
    points = make_queries(200, reaches, extent=SMALL_EXTENT)
    ours = run_queries(index, points, 500.0)
    reference = run_queries(index, points, 500.0, brute=True)
    assert disagreements(ours, reference) == []
    assert sum(1 for answer in ours if answer) > 100


def test_benchmark_data_is_reproducible():
    first = make_reaches(50)
    second = make_reaches(50)
    assert all((a[1] == b[1]).all() and a[0] == b[0] for a, b in zip(first, second, strict=True))
    assert all(10 <= len(xy) <= 40 for _, xy in first)
