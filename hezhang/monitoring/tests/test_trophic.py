"""The trophic level index (综合营养状态指数) of lakes, checked against the published formulas written out here."""

import math
import re

import pytest

from hezhang.monitoring.quality import REFERENCE
from hezhang.monitoring.trophic import (
    CORRELATION,
    GRADE_EN,
    PARTS,
    sub_index,
    trophic_grade,
    trophic_level_index,
    weights,
)

# 10 (a + b ln x), as published by 中国环境监测总站.
PUBLISHED = {
    "chla": (2.5, 1.086),
    "TP": (9.436, 1.624),
    "TN": (5.453, 1.694),
    "SD": (5.118, -1.94),
    "CODMn": (0.109, 2.661),
}
R = {"chla": 1.0, "TP": 0.84, "TN": 0.82, "SD": -0.83, "CODMn": 0.83}


def by_hand(values):
    total = sum(R[key] ** 2 for key in values)
    return sum(
        R[key] ** 2 / total * 10 * (PUBLISHED[key][0] + PUBLISHED[key][1] * math.log(value))
        for key, value in values.items()
    )


@pytest.mark.parametrize("key", PARTS)
def test_each_sub_index_follows_the_published_formula(key):
    a, b = PUBLISHED[key]
    assert sub_index(key, 1) == pytest.approx(10 * a)
    assert sub_index(key, math.e) == pytest.approx(10 * (a + b))
    assert sub_index(key, 0.37) == pytest.approx(10 * (a + b * math.log(0.37)))


def test_chlorophyll_of_10_mg_per_cubic_metre_scores_about_50():
    assert sub_index("chla", 10) == pytest.approx(50.006, abs=1e-3)


def test_clearer_water_scores_lower():
    assert sub_index("SD", 3.0) < sub_index("SD", 0.5)


@pytest.mark.parametrize("key", PARTS)
def test_the_sub_index_constants_agree_with_the_reference_file(key):
    formula = REFERENCE["evaluation_2011"]["lake_TLI"]["sub_indices"][key]
    match = re.fullmatch(r"10\*\(([\d.]+)([+-][\d.]+)\*ln\(\w+\)\)", formula)
    assert match, formula
    a, b = float(match[1]), float(match[2])
    assert sub_index(key, 1) == pytest.approx(10 * a)
    assert sub_index(key, math.e) - sub_index(key, 1) == pytest.approx(10 * b)


def test_the_weights_are_the_squared_correlations_normalised():
    assert dict(CORRELATION) == R
    published = REFERENCE["evaluation_2011"]["lake_TLI"]["weights"]
    assert {key: round(w, 4) for key, w in weights().items()} == published
    assert sum(weights().values()) == pytest.approx(1)


def test_the_index_is_the_weighted_sum_of_the_five_parts():
    values = {"chla": 12.0, "TP": 0.08, "TN": 1.6, "SD": 0.6, "CODMn": 5.2}
    state = trophic_level_index(values)
    assert state.index == pytest.approx(by_hand(values))
    assert state.complete
    assert list(state.parts) == list(PARTS)
    assert state.parts["TN"] == pytest.approx(10 * (5.453 + 1.694 * math.log(1.6)))
    assert sum(state.weights.values()) == pytest.approx(1)


def test_a_eutrophic_lake():
    state = trophic_level_index({"chla": 40, "TP": 0.2, "TN": 3.0, "SD": 0.3, "CODMn": 8})
    assert state.index == pytest.approx(by_hand({"chla": 40, "TP": 0.2, "TN": 3.0, "SD": 0.3, "CODMn": 8}))
    assert 60 < state.index <= 70
    assert (state.grade, state.grade_en) == ("中度富营养", "moderately eutrophic")
    assert state.eutrophic


def test_a_clear_mountain_reservoir_is_oligotrophic():
    state = trophic_level_index({"chla": 0.8, "TP": 0.008, "TN": 0.2, "SD": 4.5, "CODMn": 1.2})
    assert state.index < 30
    assert state.grade == "贫营养"
    assert not state.eutrophic


def test_missing_parameters_renormalise_the_weights():
    values = {"chla": 12.0, "TP": 0.08, "CODMn": 5.2}
    state = trophic_level_index(values)
    assert not state.complete
    assert set(state.weights) == set(values)
    assert sum(state.weights.values()) == pytest.approx(1)
    assert state.index == pytest.approx(by_hand(values))


def test_other_keys_of_a_sample_are_ignored():
    state = trophic_level_index({"chla": 12.0, "NH3N": 0.5, "DO": 7})
    assert list(state.parts) == ["chla"]
    assert state.index == pytest.approx(sub_index("chla", 12.0))


@pytest.mark.parametrize(
    "index, grade",
    [
        (0, "贫营养"),
        (29.99, "贫营养"),
        (30, "中营养"),
        (50, "中营养"),
        (50.01, "轻度富营养"),
        (60, "轻度富营养"),
        (60.01, "中度富营养"),
        (70, "中度富营养"),
        (70.01, "重度富营养"),
        (95, "重度富营养"),
    ],
)
def test_grade_boundaries(index, grade):
    assert trophic_grade(index) == grade
    assert grade in GRADE_EN


@pytest.mark.parametrize("value", [0, -1.0, math.nan, math.inf])
def test_a_value_that_has_no_logarithm_is_refused(value):
    with pytest.raises(ValueError, match="TP"):
        trophic_level_index({"chla": 10, "TP": value})


def test_no_trophic_parameter_is_refused():
    with pytest.raises(ValueError):
        trophic_level_index({"NH3N": 0.5})
    with pytest.raises(ValueError):
        sub_index("NH3N", 0.5)
