"""GB 3838-2002 Table 1 classes and the 2011 evaluation, against the standard's table written out here again.

The table below is transcribed from the standard independently of gb3838_2002.json, so a typo in either shows.
Every class limit of every classed item is tried at the limit (that class, or the better class where two share
the limit) and just worse than it (the next class with a different limit, or worse than V).
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from hezhang.monitoring import quality
from hezhang.monitoring.quality import (
    PARAMETERS,
    classify,
    classify_averaged,
    evaluate_sections,
    item_class,
    limit,
    meets_target,
    parse_value,
    status_word,
)

ROMAN = ("I", "II", "III", "IV", "V")

# Ceilings (value ≤ limit), classes I..V, as printed in GB 3838-2002 Table 1 (mg/L; fecal coliform 个/L).
CEILINGS = {
    "CODMn": (2, 4, 6, 10, 15),
    "COD": (15, 15, 20, 30, 40),
    "BOD5": (3, 3, 4, 6, 10),
    "NH3N": (0.15, 0.5, 1.0, 1.5, 2.0),
    "TP": (0.02, 0.1, 0.2, 0.3, 0.4),
    "Cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "Zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "F": (1.0, 1.0, 1.0, 1.5, 1.5),
    "Se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "As": (0.05, 0.05, 0.05, 0.1, 0.1),
    "Hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "Cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "Cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "Pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "CN": (0.005, 0.05, 0.2, 0.2, 0.2),
    "VPhenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "Petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),
    "LAS": (0.2, 0.2, 0.2, 0.3, 0.3),
    "Sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
    "FC": (200, 2000, 10000, 20000, 40000),
}
# 湖、库: total phosphorus has its own column, total nitrogen exists only there.
LAKE_CEILINGS = CEILINGS | {"TP": (0.01, 0.025, 0.05, 0.1, 0.2), "TN": (0.2, 0.5, 1.0, 1.5, 2.0)}
# Dissolved oxygen is a floor (value ≥ limit).
DO_FLOORS = (7.5, 6, 5, 3, 2)

THE_21_ITEMS = {
    "pH",
    "DO",
    "CODMn",
    "COD",
    "BOD5",
    "NH3N",
    "TP",
    "Cu",
    "Zn",
    "F",
    "Se",
    "As",
    "Hg",
    "Cd",
    "Cr6",
    "Pb",
    "CN",
    "VPhenol",
    "Petroleum",
    "LAS",
    "Sulfide",
}


def ceiling_cases(table, kind):
    for key, limits in table.items():
        for number, bound in enumerate(limits, start=1):
            at = limits.index(bound) + 1  # a shared limit belongs to the better class
            worse = next((j for j, other in enumerate(limits, start=1) if other > bound), 6)
            name = f"{kind}-{key}-{ROMAN[number - 1]}"
            yield pytest.param(kind, key, bound, at, id=f"{name}-at-the-limit")
            yield pytest.param(kind, key, math.nextafter(bound, math.inf), worse, id=f"{name}-just-worse")


def floor_cases(kind):
    for number, bound in enumerate(DO_FLOORS, start=1):
        worse = next((j for j, other in enumerate(DO_FLOORS, start=1) if other < bound), 6)
        name = f"{kind}-DO-{ROMAN[number - 1]}"
        yield pytest.param(kind, "DO", bound, number, id=f"{name}-at-the-limit")
        yield pytest.param(kind, "DO", math.nextafter(bound, -math.inf), worse, id=f"{name}-just-worse")


# -- every class boundary ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, key, value, expected", [*ceiling_cases(CEILINGS, "river"), *floor_cases("river")]
)
def test_every_class_limit_of_table_1_in_a_river(kind, key, value, expected):
    assert item_class(key, value, kind) == expected


@pytest.mark.parametrize(
    "kind, key, value, expected",
    [
        *ceiling_cases(LAKE_CEILINGS, "lake"),
        *floor_cases("lake"),
        *ceiling_cases({key: LAKE_CEILINGS[key] for key in ("TP", "TN")}, "reservoir"),
    ],
)
def test_every_class_limit_of_table_1_in_a_lake_or_reservoir(kind, key, value, expected):
    assert item_class(key, value, kind) == expected


@pytest.mark.parametrize("kind", ["river", "lake", "reservoir"])
def test_the_limits_match_the_transcription_for_every_class(kind):
    table = CEILINGS if kind == "river" else LAKE_CEILINGS
    for key, limits in table.items():
        assert tuple(limit(key, cls, kind) for cls in range(1, 6)) == limits, key
    assert tuple(limit("DO", cls, kind) for cls in range(1, 6)) == DO_FLOORS


def test_ammonia_at_the_class_iii_limit_is_class_iii():
    assert item_class("NH3N", 1.0) == 3


def test_ammonia_just_over_the_class_iii_limit_is_class_iv():
    assert item_class("NH3N", 1.01) == 4


def test_cod_at_15_is_class_i_because_classes_i_and_ii_share_the_limit():
    assert item_class("COD", 15) == 1
    assert item_class("COD", 15.1) == 3


def test_cyanide_over_0_05_jumps_to_class_iii_which_shares_its_limit_with_iv_and_v():
    assert item_class("CN", 0.1) == 3
    assert item_class("CN", 0.21) == 6


def test_dissolved_oxygen_above_the_class_i_floor_is_class_i():
    assert item_class("DO", 12.4) == 1


def test_dissolved_oxygen_below_class_v_is_worse_than_v():
    assert item_class("DO", 1.9) == 6
    assert item_class("DO", 0) == 6


def test_dissolved_oxygen_between_floors_takes_the_floor_it_meets():
    assert item_class("DO", 5.5) == 3
    assert item_class("DO", 4) == 4


@pytest.mark.parametrize("value, expected", [(6, 1), (7.2, 1), (9, 1), (5.99, 6), (9.01, 6), (0, 6), (14, 6)])
def test_ph_inside_6_to_9_is_class_i_and_outside_is_worse_than_v(value, expected):
    assert item_class("pH", value) == expected


def test_ph_just_outside_the_range_is_worse_than_v():
    assert item_class("pH", math.nextafter(6, -math.inf)) == 6
    assert item_class("pH", math.nextafter(9, math.inf)) == 6


def test_lake_total_phosphorus_uses_the_lake_limits():
    assert item_class("TP", 0.06, "river") == 2
    assert item_class("TP", 0.06, "lake") == 4
    assert item_class("TP", 0.06, "reservoir") == 4


def test_total_nitrogen_has_no_class_in_a_river():
    assert item_class("TN", 0.1, "river") is None
    assert limit("TN", 3, "river") is None


def test_water_temperature_is_not_classed():
    assert item_class("WT", 18.5) is None
    assert item_class("WT", -0.5) is None  # not a concentration: below zero is possible


def test_fecal_coliform_worse_than_v():
    assert item_class("FC", 40001) == 6


@pytest.mark.parametrize("value", [-0.01, math.nan, math.inf, -math.inf])
def test_a_negative_or_non_finite_value_is_refused(value):
    with pytest.raises(ValueError, match="NH3N"):
        item_class("NH3N", value)


def test_an_unknown_parameter_or_kind_is_refused():
    with pytest.raises(ValueError, match="unknown parameter"):
        item_class("Ni", 0.01)
    with pytest.raises(ValueError, match="kind"):
        item_class("NH3N", 0.5, "pond")


# -- the table and its data file ------------------------------------------------------------------------------


def test_the_21_evaluated_items_are_all_basic_items_but_temperature_total_nitrogen_and_coliform():
    evaluated = {key for key, parameter in PARAMETERS.items() if parameter.evaluated}
    assert evaluated == THE_21_ITEMS
    assert set(PARAMETERS) == THE_21_ITEMS | {"WT", "TN", "FC"}


def test_parameters_carry_names_and_units():
    ammonia = PARAMETERS["NH3N"]
    assert (ammonia.name_zh, ammonia.name_en, ammonia.unit) == ("氨氮", "ammonia nitrogen", "mg/L")
    assert PARAMETERS["DO"].direction == "min"
    assert PARAMETERS["pH"].bounds == (6.0, 9.0)


def test_the_repository_copy_matches_the_shared_reference():
    shared = Path(__file__).resolve().parents[4] / "shared" / "reference" / "gb3838-2002.json"
    if not shared.exists():
        pytest.skip("the shared reference is not beside this checkout")
    assert quality.REFERENCE == json.loads(shared.read_text(encoding="utf-8"))


def test_the_evaluation_modules_import_no_django():
    code = (
        "import sys\n"
        "import hezhang.monitoring.quality, hezhang.monitoring.trophic, hezhang.monitoring.black_odorous\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- a sample's class ------------------------------------------------------------------------------------------


def test_the_sample_takes_the_class_of_its_worst_evaluated_item():
    result = classify({"pH": 7.4, "DO": 6.5, "CODMn": 4.2, "NH3N": 0.4, "TP": 0.12}, "river")
    assert result.item_classes == {"pH": 1, "DO": 2, "CODMn": 3, "NH3N": 2, "TP": 3}
    assert result.water_class == 3
    assert result.label == "III"
    assert (result.status, result.status_en) == ("良好", "good")
    assert result.main_pollutants == ()
    assert result.exceedance == {}


def test_any_item_worse_than_v_makes_the_sample_worse_than_v():
    result = classify({"CODMn": 3, "NH3N": 2.01}, "river")
    assert result.water_class == 6
    assert result.label == "劣V"
    assert result.status == "重度污染"


def test_fecal_coliform_is_classed_for_reference_but_does_not_set_the_class():
    result = classify({"NH3N": 0.3, "FC": 50000}, "river")
    assert result.item_classes["FC"] == 6
    assert result.reference == ("FC",)
    assert result.water_class == 2
    assert "FC" not in result.exceedance


def test_lake_total_nitrogen_is_reported_separately_and_does_not_set_the_class():
    result = classify({"NH3N": 0.3, "TP": 0.02, "TN": 2.5}, "lake")
    assert result.item_classes["TN"] == 6
    assert result.reference == ("TN",)
    assert result.water_class == 2
    assert result.main_pollutants == ()


def test_river_total_nitrogen_is_left_out():
    result = classify({"NH3N": 0.3, "TN": 2.5}, "river")
    assert "TN" not in result.item_classes


def test_a_sample_without_evaluated_items_has_no_class():
    result = classify({"WT": 21.0, "FC": 300, "chla": 12}, "river")
    assert result.water_class is None
    assert result.status is None
    assert result.label is None
    assert result.item_classes == {"FC": 2}


def test_unknown_keys_are_ignored():
    assert classify({"NH3N": 0.3, "chla": 12, "ORP": -150}, "river").item_classes == {"NH3N": 2}


def test_classify_refuses_negative_values_and_unknown_kinds():
    with pytest.raises(ValueError, match="negative"):
        classify({"TP": -0.1}, "river")
    with pytest.raises(ValueError, match="finite"):
        classify({"TP": math.nan}, "river")
    with pytest.raises(ValueError, match="kind"):
        classify({"TP": 0.1}, "canal")


def test_items_are_reported_in_table_order():
    result = classify({"TP": 0.1, "pH": 7, "NH3N": 0.2, "DO": 8}, "river")
    assert list(result.item_classes) == ["pH", "DO", "NH3N", "TP"]


def test_the_classification_is_frozen():
    result = classify({"NH3N": 0.3}, "river")
    with pytest.raises(AttributeError):
        result.water_class = 1
    with pytest.raises(TypeError):
        result.item_classes["NH3N"] = 1


# -- exceedance multiples and main pollutants ------------------------------------------------------------------


def test_the_exceedance_multiple_is_against_the_class_iii_limit():
    result = classify({"NH3N": 2.5, "COD": 30, "CODMn": 5}, "river")
    assert result.exceedance["NH3N"] == pytest.approx(1.5)
    assert result.exceedance["COD"] == pytest.approx(0.5)
    assert "CODMn" not in result.exceedance  # class III: not exceeding


def test_the_lake_exceedance_multiple_uses_the_lake_class_iii_limit():
    assert classify({"TP": 0.1}, "lake").exceedance["TP"] == pytest.approx(1.0)
    assert classify({"TP": 0.3}, "river").exceedance["TP"] == pytest.approx(0.5)


def test_no_exceedance_multiple_for_ph_and_dissolved_oxygen():
    result = classify({"pH": 9.5, "DO": 1.0}, "river")
    assert result.water_class == 6
    assert result.exceedance == {}
    assert result.main_pollutants == ("pH", "DO")


def test_main_pollutants_are_the_three_items_of_the_worst_classes():
    # BOD5 V, NH3N 劣V, CODMn IV, TP 劣V, COD V
    result = classify({"BOD5": 8, "NH3N": 2.4, "CODMn": 8, "TP": 0.5, "COD": 35}, "river")
    assert result.main_pollutants[:2] == ("TP", "NH3N")  # both 劣V: TP 1.5 times over, NH3N 1.4
    assert result.main_pollutants == ("TP", "NH3N", "BOD5")  # of the class V pair, BOD5 1.0 beats COD 0.75


def test_dissolved_oxygen_ranks_after_items_of_its_class_that_have_a_multiple():
    result = classify({"DO": 1.0, "NH3N": 2.2, "COD": 25}, "river")
    assert result.main_pollutants == ("NH3N", "DO", "COD")


def test_a_sample_at_class_iii_or_better_has_no_main_pollutants():
    assert classify({"NH3N": 1.0, "TP": 0.2, "DO": 5}, "river").main_pollutants == ()


def test_items_worse_than_iii_are_main_pollutants_even_when_fewer_than_three():
    assert classify({"NH3N": 1.2, "TP": 0.1}, "river").main_pollutants == ("NH3N",)


def test_heavy_metals_and_cyanide_are_listed_whenever_they_exceed_class_iii():
    values = {"NH3N": 3, "TP": 0.8, "CODMn": 20, "COD": 50, "Cd": 0.008, "CN": 0.3, "Se": 0.015}
    result = classify(values, "river")
    assert result.main_pollutants[:3] == ("TP", "CODMn", "NH3N")  # all 劣V: 3.0, 2.33 and 2.0 times over
    assert set(result.main_pollutants[3:]) == {"CN", "Cd"}  # COD and Se (not a metal) stay out
    assert result.main_pollutants[3:] == ("CN", "Cd")  # 劣V cyanide before class V cadmium


# -- status words and targets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, word, english",
    [
        (1, "优", "excellent"),
        (2, "优", "excellent"),
        (3, "良好", "good"),
        (4, "轻度污染", "slightly polluted"),
        (5, "中度污染", "moderately polluted"),
        (6, "重度污染", "heavily polluted"),
    ],
)
def test_status_words_by_class(cls, word, english):
    assert status_word(cls) == word
    assert quality.STATUS_EN[word] == english


@pytest.mark.parametrize("cls", [0, 7, None, "3", True])
def test_status_word_refuses_a_class_outside_1_to_6(cls):
    with pytest.raises(ValueError):
        status_word(cls)


def test_a_class_meets_a_target_of_itself_or_worse():
    assert meets_target(3, 3)
    assert meets_target(2, 3)
    assert not meets_target(4, 3)
    assert not meets_target(6, 5)
    with pytest.raises(ValueError):
        meets_target(3, 0)


def test_limit_is_none_where_the_standard_gives_no_single_number():
    assert limit("pH", 3) is None
    assert limit("WT", 3) is None
    assert limit("chla", 3) is None
    assert limit("NH3N", 6) is None
    assert limit("TP", 3, "lake") == 0.05


# -- several sections (2011 method) ----------------------------------------------------------------------------


def sections(good, iv_v, worse_than_v):
    return [2] * good + [4] * iv_v + [6] * worse_than_v


@pytest.mark.parametrize(
    "classes, status",
    [
        pytest.param(sections(9, 1, 0), "优", id="90%-I-III-is-excellent"),
        pytest.param(sections(10, 0, 0), "优", id="all-I-III"),
        pytest.param(sections(17, 3, 0), "良好", id="85%-is-good"),
        pytest.param(sections(15, 5, 0), "良好", id="75%-exactly-is-good"),
        pytest.param(sections(14, 5, 1), "轻度污染", id="70%-with-5%-worse-than-v"),
        pytest.param(sections(14, 3, 3), "轻度污染", id="15%-worse-than-v"),
        pytest.param(sections(14, 2, 4), "中度污染", id="20%-worse-than-v-exactly"),
        pytest.param(sections(10, 3, 7), "中度污染", id="35%-worse-than-v"),
        pytest.param(sections(10, 2, 8), "重度污染", id="40%-worse-than-v-exactly"),
        pytest.param(sections(3, 0, 2), "重度污染", id="60%-I-III-and-40%-worse-than-v"),
        pytest.param(sections(0, 0, 5), "重度污染", id="all-worse-than-v"),
    ],
)
def test_sections_are_evaluated_by_the_share_in_classes_i_to_iii(classes, status):
    result = evaluate_sections(classes)
    assert result.status == status
    assert result.status_en == quality.STATUS_EN[status]
    assert result.by_share


def test_the_section_evaluation_reports_counts_and_shares():
    result = evaluate_sections([1, 2, 3, 3, 4, 5, 6, 6])
    assert result.sections == 8
    assert result.counts == (1, 1, 2, 1, 1, 2)
    assert result.good_share == pytest.approx(0.5)
    assert result.worse_than_v_share == pytest.approx(0.25)


def test_fewer_than_five_sections_get_an_indicative_status_only():
    result = evaluate_sections([2, 3, 4])
    assert not result.by_share
    assert result.status == "轻度污染"


def test_evaluating_no_sections_or_a_bad_class_is_refused():
    with pytest.raises(ValueError):
        evaluate_sections([])
    with pytest.raises(ValueError):
        evaluate_sections([1, 2, 3, 4, 7])


def test_few_sections_are_classed_by_their_mean_concentrations():
    # NH3N over three sections (mean 1.0), TP over the two that measured it (mean 0.2).
    result = classify_averaged([{"NH3N": 0.5, "TP": 0.1}, {"NH3N": 1.5}, {"NH3N": 1.0, "TP": 0.3}], "river")
    assert result.item_classes == {"NH3N": 3, "TP": 3}
    assert result.water_class == 3


def test_the_mean_of_a_polluted_section_and_clean_ones_can_be_better_than_the_worst_section():
    result = classify_averaged([{"NH3N": 0.3}, {"NH3N": 0.4}, {"NH3N": 2.3}], "river")
    assert result.water_class == 3  # mean 1.0


def test_averaging_nothing_is_refused():
    with pytest.raises(ValueError):
        classify_averaged([], "lake")


# -- lab notation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, value, flag",
    [
        ("0.35", 0.35, None),
        (" 1.2 ", 1.2, None),
        (0.5, 0.5, None),
        (3, 3.0, None),
        ("-1.5", -1.5, None),
        ("<0.01", 0.005, "<"),
        ("< 0.04", 0.02, "<"),
        ("0.01L", 0.005, "<"),
        ("＜０.０２", 0.01, "<"),
        ("ND", 0.0, "<"),
        ("n.d.", 0.0, "<"),
        ("未检出", 0.0, "<"),
    ],
)
def test_lab_values_are_read_with_below_detection_as_half_the_limit(raw, value, flag):
    assert parse_value(raw) == (pytest.approx(value), flag)


@pytest.mark.parametrize("raw", ["abc", "", ">24000", "nan", "inf", "<abc", "<0", True, math.nan])
def test_unreadable_lab_values_are_refused(raw):
    with pytest.raises(ValueError):
        parse_value(raw)
