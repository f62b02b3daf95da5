"""The scoring benchmark's own pieces at toy scale: checks answers, never timing."""

import numpy as np

from bench.bench_scoring import KINDS, POINTS, coverage_differences, main, make_cases
from hezhang.patrols.scoring import ScoringRules


def test_benchmark_coverage_agrees_with_the_shapely_reference_at_small_scale():
    cases = make_cases(len(KINDS) * 2, reach_km=2.0)
    ours, reference = coverage_differences(cases, ScoringRules())
    assert np.abs(ours - reference).max() <= 0.01
    assert reference.max() > 0.99 and reference.min() < 0.8  # both fully and partly covered reaches occur


def test_benchmark_data_is_reproducible_and_has_every_kind():
    first, second = make_cases(len(KINDS)), make_cases(len(KINDS))
    assert [c.kind for c in first] == list(KINDS)
    assert all((a.lon == b.lon).all() and a.reach == b.reach for a, b in zip(first, second, strict=True))
    assert all(len(c.t) == POINTS for c in first)


def test_benchmark_prints_both_timings_their_ratio_and_the_target(capsys):
    main(["--tracks", str(len(KINDS)), "--repeat", "1", "--reach-km", "1"])
    out = capsys.readouterr().out
    assert "score(), prepared reach:" in out and "KB a reach" in out
    assert "shapely buffer reference:" in out and "speed-up" in out
    assert "max difference" in out
    assert "target: <= 0.2 ms/track" in out
