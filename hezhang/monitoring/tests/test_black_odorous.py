"""Black-odorous grading by the 2015 guide: every threshold of the four indicators, points and water bodies."""

import math

import pytest

from hezhang.monitoring.black_odorous import (
    MILD,
    NONE,
    SEVERE,
    THRESHOLDS,
    grade_point,
    grade_sample,
    grade_water_body,
    indicator_level,
)

CLEAN = {"SD_cm": 60, "DO": 5.0, "ORP": 150, "NH3N": 1.0}


def test_the_thresholds_are_those_of_the_guide():
    assert {key: t.mild for key, t in THRESHOLDS.items()} == {
        "SD_cm": (10, 25),
        "DO": (0.2, 2.0),
        "ORP": (-200, 50),
        "NH3N": (8.0, 15),
    }
    assert [key for key, t in THRESHOLDS.items() if not t.lower_is_worse] == ["NH3N"]


@pytest.mark.parametrize(
    "key, value, level",
    [
        ("SD_cm", 25.1, NONE),
        ("SD_cm", 25, MILD),
        ("SD_cm", 10, MILD),
        ("SD_cm", 9.9, SEVERE),
        ("DO", 2.01, NONE),
        ("DO", 2.0, MILD),
        ("DO", 0.2, MILD),
        ("DO", 0.19, SEVERE),
        ("ORP", 51, NONE),
        ("ORP", 50, MILD),
        ("ORP", -200, MILD),
        ("ORP", -201, SEVERE),
        ("NH3N", 7.9, NONE),
        ("NH3N", 8.0, MILD),
        ("NH3N", 15, MILD),
        ("NH3N", 15.1, SEVERE),
    ],
)
def test_each_indicator_at_and_beyond_its_thresholds(key, value, level):
    assert indicator_level(key, value) == level


def test_shallow_water_takes_40_percent_of_its_depth_as_the_transparency_threshold():
    # 20 cm deep: the threshold is 8 cm, where the plain table would call 9 cm severe.
    assert indicator_level("SD_cm", 9, depth_cm=20) == NONE
    assert indicator_level("SD_cm", 8, depth_cm=20) == MILD
    assert indicator_level("SD_cm", 7.9, depth_cm=20) == SEVERE
    assert indicator_level("SD_cm", 20, depth_cm=20) == NONE


def test_water_25_cm_deep_or_more_uses_the_plain_thresholds():
    assert indicator_level("SD_cm", 20, depth_cm=25) == MILD
    assert indicator_level("SD_cm", 9, depth_cm=80) == SEVERE


def test_depth_only_matters_for_transparency():
    assert indicator_level("DO", 1.0, depth_cm=10) == MILD


def test_a_clean_sample_is_not_black_odorous():
    grading = grade_sample(CLEAN)
    assert (grading.level, grading.word, grading.word_en) == (NONE, "不黑臭", "not black-odorous")
    assert grading.deciding == ()


def test_one_indicator_in_the_mild_band_makes_the_sample_mildly_black_odorous():
    grading = grade_sample(CLEAN | {"DO": 1.5})
    assert (grading.level, grading.word) == (MILD, "轻度黑臭")
    assert grading.deciding == ("DO",)
    assert grading.levels == {"SD_cm": NONE, "DO": MILD, "ORP": NONE, "NH3N": NONE}


def test_one_severe_indicator_makes_a_single_sample_severe():
    grading = grade_sample(CLEAN | {"NH3N": 18, "DO": 1.0})
    assert (grading.level, grading.word) == (SEVERE, "重度黑臭")
    assert grading.deciding == ("NH3N",)


def test_the_depth_may_come_with_the_sample():
    assert grade_sample(CLEAN | {"SD_cm": 9, "depth_cm": 20}).level == NONE


def test_other_keys_are_ignored_and_indicators_may_be_missing():
    assert grade_sample({"DO": 0.1, "TP": 0.5}).level == SEVERE


def points(severe: dict[str, int], total: int = 5):
    """`total` samples, the first `severe[key]` of them severe on that indicator."""
    samples = []
    for n in range(total):
        sample = dict(CLEAN)
        for key, count in severe.items():
            if n < count:
                sample[key] = {"SD_cm": 5, "DO": 0.1, "ORP": -250, "NH3N": 20}[key]
        samples.append(sample)
    return samples


def test_a_point_with_60_percent_of_one_indicator_severe_is_severe():
    grading = grade_point(points({"NH3N": 3}))
    assert grading.level == SEVERE
    assert grading.severe_shares["NH3N"] == pytest.approx(0.6)
    assert grading.deciding == ("NH3N",)


def test_a_point_with_40_percent_of_one_indicator_severe_is_mild():
    grading = grade_point(points({"NH3N": 2}))
    assert grading.level == MILD
    assert grading.deciding == ("NH3N",)


def test_a_point_with_30_percent_of_two_indicators_severe_is_severe():
    grading = grade_point(points({"DO": 3, "ORP": 3}, total=10))
    assert grading.level == SEVERE
    assert grading.deciding == ("DO", "ORP")


def test_a_point_with_20_percent_of_two_indicators_severe_is_mild():
    assert grade_point(points({"DO": 1, "ORP": 1})).level == MILD


def test_a_point_whose_data_never_reach_the_mild_band_is_not_black_odorous():
    assert grade_point(points({})).level == NONE


def test_shares_count_only_the_samples_that_measured_the_indicator():
    samples = [{"NH3N": 20}, {"NH3N": 20}, {"NH3N": 5, "DO": 4}, {"DO": 4}]
    grading = grade_point(samples)
    assert grading.severe_shares == {"DO": 0.0, "NH3N": pytest.approx(2 / 3)}
    assert grading.level == SEVERE


@pytest.mark.parametrize("values", [{"DO": -0.1}, {"SD_cm": -1}, {"NH3N": math.nan}, {"ORP": math.inf}])
def test_impossible_values_are_refused(values):
    with pytest.raises(ValueError):
        grade_sample(values)


def test_a_negative_redox_potential_is_fine():
    assert grade_sample({"ORP": -120}).level == MILD


def test_a_sample_without_any_indicator_is_refused():
    with pytest.raises(ValueError):
        grade_sample({"TP": 0.5})
    with pytest.raises(ValueError):
        indicator_level("TP", 0.5)


def test_a_water_body_with_60_percent_of_its_points_severe_is_severe():
    grading = grade_water_body([SEVERE, MILD, SEVERE, SEVERE, MILD])
    assert (grading.level, grading.word) == (SEVERE, "重度黑臭")
    assert grading.severe_share == pytest.approx(0.6)
    assert grading.severe_stretches == ()


def test_three_consecutive_severe_points_make_a_severe_stretch():
    grading = grade_water_body([MILD, SEVERE, SEVERE, SEVERE, MILD, MILD, MILD, SEVERE, SEVERE])
    assert grading.level == MILD
    assert grading.severe_stretches == ((1, 3),)


def test_a_stretch_may_run_to_the_last_point():
    grading = grade_water_body([NONE, MILD, MILD, SEVERE, SEVERE, SEVERE])
    assert grading.severe_stretches == ((3, 5),)
    assert grading.level == MILD  # 3 of 6 points


def test_two_consecutive_severe_points_are_no_stretch():
    assert grade_water_body([SEVERE, SEVERE, MILD, MILD, MILD]).severe_stretches == ()


def test_a_water_body_of_clean_points_is_not_black_odorous():
    assert grade_water_body([NONE, NONE, NONE]).level == NONE


def test_a_water_body_needs_points_with_valid_levels():
    with pytest.raises(ValueError):
        grade_water_body([])
    with pytest.raises(ValueError):
        grade_water_body([NONE, 3])
